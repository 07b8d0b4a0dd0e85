import {LitElement, html} from 'lit';
import {api, setCsrfToken, ApiError} from './api.js';
import './operations.js';
import './monitor.js';
import './management.js';

/** The console: the sign-in until there is a session, then the shell with its views. */
class DpmApp extends LitElement {
  static properties = {session: {state: true}, view: {state: true}, checked: {state: true}};

  constructor() {
    super();
    this.session = null;
    this.checked = false;
    this.view = ['#monitor', '#management'].includes(location.hash) ? location.hash.substring(1) : 'operations';
    window.addEventListener('dpm-signed-out', () => this.signedOut());
  }

  // Light DOM: the page's style sheet applies, and tests and assistive tools see one document. The page's
  // "Loading" text goes once the console draws itself.
  createRenderRoot() {
    this.replaceChildren();
    return this;
  }

  async connectedCallback() {
    super.connectedCallback();
    try {
      this.signedIn(await api('GET', 'session'));
    } catch (e) {
      this.session = null;
    }
    this.checked = true;
  }

  signedIn(session) {
    setCsrfToken(session.csrfToken);
    this.session = session;
  }

  signedOut() {
    setCsrfToken(null);
    this.session = null;
  }

  async signOut() {
    try {
      await api('DELETE', 'session');
    } finally {
      this.signedOut();
    }
  }

  show(view) {
    this.view = view;
    location.hash = view;
  }

  render() {
    if (!this.checked) return html`<p class="loading">Loading the OpenDPM console…</p>`;
    if (!this.session) return html`<dpm-login @signed-in=${(e) => this.signedIn(e.detail)}></dpm-login>`;
    const tab = (id, label) => html`<button type="button" id="nav-${id}" class="tab"
        aria-current=${this.view === id ? 'page' : 'false'} @click=${() => this.show(id)}>${label}</button>`;
    return html`
      <header class="shell">
        <span class="brand">OpenDPM</span>
        <nav aria-label="Views">
          ${tab('operations', 'Operations')}${tab('monitor', 'Monitor')}${tab('management', 'Management')}
        </nav>
        <span class="who" id="who">${this.session.user} (${this.session.roles.join(', ')})</span>
        <button type="button" id="sign-out" @click=${() => this.signOut()}>Sign out</button>
      </header>
      <main>
        ${{monitor: () => html`<dpm-monitor .session=${this.session}></dpm-monitor>`,
          management: () => html`<dpm-management .session=${this.session}></dpm-management>`,
        }[this.view]?.() ?? html`<dpm-operations .session=${this.session}></dpm-operations>`}
      </main>`;
  }
}

/** The sign-in: through the server's realm, so a wrong password is refused and repeated failures are throttled. */
class DpmLogin extends LitElement {
  static properties = {error: {state: true}, busy: {state: true}};

  createRenderRoot() {
    return this;
  }

  async submit(event) {
    event.preventDefault();
    const form = event.target;
    this.busy = true;
    this.error = '';
    try {
      const session = await api('POST', 'session', {user: form.user.value, password: form.password.value});
      this.dispatchEvent(new CustomEvent('signed-in', {detail: session}));
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        this.error = `Too many failed sign-ins: try again in ${e.retryAfter || 'a few'} seconds.`;
      } else if (e instanceof ApiError && e.status === 401) {
        this.error = 'Wrong user name or password.';
      } else {
        this.error = `Sign-in failed: ${e.message}`;
      }
      form.password.value = '';
      form.password.focus();
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`
      <form class="login" @submit=${(e) => this.submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to OpenDPM</h1>
        <label for="login-user">User name</label>
        <input id="login-user" name="user" autocomplete="username" required autofocus>
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required>
        <p id="login-error" class="error" role="alert">${this.error || ''}</p>
        <button type="submit" id="login-submit" ?disabled=${this.busy}>Sign in</button>
      </form>`;
  }
}

customElements.define('dpm-login', DpmLogin);
customElements.define('dpm-app', DpmApp);
