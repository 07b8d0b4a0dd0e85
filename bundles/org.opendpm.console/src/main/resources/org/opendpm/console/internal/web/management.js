import {LitElement, html, nothing} from 'lit';
import {api, bytes, canChange, isAdmin, fieldPath, ApiError} from './api.js';

/** Server settings (the guide's Detail Setting) by field: what the server's SettingsDto holds. */
const SETTINGS = [
  {name: 'useDhcpServer', label: 'Use the DHCP server on this network', type: 'boolean'},
  {name: 'imageFolder', label: 'Folder for Image', type: 'text'},
  {name: 'checkCompletionByAgent', label: 'Check scenario completion through the agent', type: 'boolean'},
  {name: 'machinesForSimultaneousExecution', label: 'Machines executing at once', type: 'number'},
  {name: 'remotePowerOnTimeoutMinutes', label: 'Remote power-on time-out (minutes)', type: 'number'},
  {name: 'scenarioTimeoutMinutes', label: 'Scenario time-out (minutes)', type: 'number'},
  {name: 'defaultDeployOs', label: 'Default Deploy-OS', type: 'text'},
];

const VIEWS = [
  {id: 'settings', label: 'Settings'},
  {id: 'users', label: 'Users', admin: true},
  {id: 'plugins', label: 'Plugins'},
  {id: 'boot', label: 'Boot server'},
  {id: 'agents', label: 'Agents'},
  {id: 'images', label: 'Images'},
  {id: 'multicast', label: 'Multicast sessions'},
];

/** Views that read again on their own while shown, and how often: what changes without anyone here acting. */
const LIVE_MS = {plugins: 3000, boot: 5000, agents: 5000, multicast: 3000};

/**
 * Management: small views over the REST resources. What the user's role may not change is not offered; the server
 * refuses it anyway.
 */
class DpmManagement extends LitElement {
  static properties = {session: {}, view: {state: true}, data: {state: true}, message: {state: true},
    errors: {state: true}, detail: {state: true}};

  constructor() {
    super();
    this.view = 'settings';
    this.data = null;
    this.message = '';
    this.errors = {};
    this.detail = null;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.open(this.view);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  open(view) {
    this.view = view;
    this.data = null;
    this.detail = null;
    this.message = '';
    this.errors = {};
    clearInterval(this.timer);
    this.load();
    if (LIVE_MS[view]) this.timer = setInterval(() => !document.hidden && this.load(), LIVE_MS[view]);
  }

  async load() {
    const view = this.view;
    try {
      let data;
      if (view === 'settings') data = await api('GET', 'settings');
      else if (view === 'users') data = await api('GET', 'users');
      else if (view === 'plugins') data = await api('GET', 'plugins');
      else if (view === 'boot') data = await api('GET', 'boot/status');
      else if (view === 'agents') {
        const [agents, link] = await Promise.all([api('GET', 'agents'), api('GET', 'agent-link')]);
        data = {agents, link};
      } else if (view === 'images') data = await api('GET', 'images');
      else if (view === 'multicast') data = await api('GET', 'multicast-sessions');
      if (view === this.view) this.data = data;
    } catch (e) {
      if (view === this.view) this.message = `Could not be read: ${e.message}`;
    }
  }

  async act(label, call, reload = true) {
    this.message = '';
    this.errors = {};
    try {
      const result = await call();
      this.message = `${label}: done.`;
      if (reload) await this.load();
      return result;
    } catch (e) {
      const path = e instanceof ApiError ? fieldPath(e.problem) : [];
      if (path.length) this.errors = {[path[0]]: e.message};
      this.message = `${label} refused: ${e.message}`;
      return undefined;
    }
  }

  renderSettings() {
    const s = this.data;
    const ro = !isAdmin(this.session);
    const submit = (event) => {
      event.preventDefault();
      const f = event.target;
      const body = {};
      for (const x of SETTINGS) {
        const el = f.elements[`setting-${x.name}`];
        body[x.name] = x.type === 'boolean' ? el.checked
          : x.type === 'number' && el.value.trim() !== '' && !Number.isNaN(Number(el.value)) ? Number(el.value)
            : el.value;
      }
      this.act('Save settings', () => api('PUT', 'settings', body));
    };
    return html`<h2>Server settings</h2>
      <form class="settings-form" id="settings-form" novalidate @submit=${submit} aria-label="Server settings">
        ${SETTINGS.map((x) => {
          const id = `setting-${x.name}`;
          const error = this.errors[x.name];
          return x.type === 'boolean'
            ? html`<div class="field check"><input type="checkbox" id=${id} name=${id} ?disabled=${ro}
                .checked=${!!s[x.name]} aria-describedby="${id}-error"><label for=${id}>${x.label}</label>
                <span class="error" id="${id}-error">${error || ''}</span></div>`
            : html`<div class="field"><label for=${id}>${x.label}</label>
                <input id=${id} name=${id} type=${x.type} ?disabled=${ro} .value=${String(s[x.name] ?? '')}
                    aria-invalid=${!!error} aria-describedby="${id}-error">
                <span class="error" id="${id}-error">${error || ''}</span></div>`;
        })}
        ${ro ? nothing : html`<div class="actions"><button type="submit" id="settings-save">Save</button></div>`}
      </form>`;
  }

  renderUsers() {
    const create = (event) => {
      event.preventDefault();
      const f = event.target;
      this.act('Create user', () => api('POST', 'users', {name: f.elements['user-name'].value,
        password: f.elements['user-password'].value, roles: [f.elements['user-role'].value]}))
          .then((r) => r && f.reset());
    };
    const roleSelect = (u) => html`<select aria-label="Role of ${u.name}" class="user-role"
        @change=${(e) => this.act(`Roles of ${u.name}`, () => api('PUT', `users/${encodeURIComponent(u.name)}/roles`,
            {roles: [e.target.value]}))}>
      ${['viewer', 'operator', 'admin'].map((r) => html`<option value=${r} ?selected=${u.roles.includes(r)
          && !(r === 'viewer' && u.roles.length > 1) && !(r === 'operator' && u.roles.includes('admin'))}>
        ${r}</option>`)}</select>`;
    const password = (u) => {
      const p = prompt(`New password for ${u.name} (at least 12 characters)`);
      if (p) this.act(`Password of ${u.name}`, () => api('PUT', `users/${encodeURIComponent(u.name)}/password`,
          {password: p}), false);
    };
    return html`<h2>Users and roles</h2>
      <table id="users" aria-label="Users"><thead><tr><th scope="col">Name</th><th scope="col">Role</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${this.data.map((u) => html`<tr data-user=${u.name}><td>${u.name}</td><td>${roleSelect(u)}</td>
          <td><button type="button" @click=${() => password(u)} aria-label="Set the password of ${u.name}">
            Set password</button>
          <button type="button" aria-label="Delete ${u.name}" ?disabled=${u.name === this.session.user}
              @click=${() => confirm(`Delete the user ${u.name}?`) && this.act(`Delete ${u.name}`,
                  () => api('DELETE', `users/${encodeURIComponent(u.name)}`))}>Delete</button></td></tr>`)}
        </tbody></table>
      <form class="machine-form" id="user-form" novalidate @submit=${create} aria-labelledby="user-form-title">
        <h3 id="user-form-title">New user</h3>
        <div class="field"><label for="user-name">Name</label><input id="user-name" name="user-name"
            autocomplete="off" aria-invalid=${!!this.errors.name} aria-describedby="user-name-error">
          <span class="error" id="user-name-error">${this.errors.name || ''}</span></div>
        <div class="field"><label for="user-password">Password</label><input id="user-password"
            name="user-password" type="password" autocomplete="new-password" aria-invalid=${!!this.errors.password}
            aria-describedby="user-password-error">
          <span class="error" id="user-password-error">${this.errors.password || ''}</span></div>
        <div class="field"><label for="user-role">Role</label><select id="user-role" name="user-role">
          <option>viewer</option><option>operator</option><option>admin</option></select></div>
        <div class="actions"><button type="submit" id="user-create">Create</button></div>
      </form>`;
  }

  renderPlugins() {
    return html`<h2>Plugins <span class="live">live</span></h2>
      <table id="plugins" aria-label="Plugins"><thead><tr><th scope="col">Kind</th><th scope="col">Key</th>
        <th scope="col">Bundle</th><th scope="col">Version</th><th scope="col">Ranking</th>
        <th scope="col">In use</th></tr></thead>
        <tbody>${this.data.map((p) => html`<tr data-plugin="${p.kind}:${p.key}"><td>${p.kind}</td><td>${p.key}</td>
          <td>${p.bundle}</td><td>${p.bundleVersion}</td><td>${p.ranking}</td>
          <td>${p.winner ? 'yes' : 'no (another plugin wins)'}</td></tr>`)}</tbody></table>`;
  }

  renderBoot() {
    const b = this.data;
    const counts = (m) => Object.entries(m || {}).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
    return html`<h2>Boot server</h2><dl id="boot-status">
      <dt>TFTP</dt><dd>${b.tftp.running ? 'running' : 'stopped'}; ${b.tftp.inFlight} transfers now,
        ${b.tftp.completed} completed, ${b.tftp.failed} failed, ${bytes(b.tftp.bytesSent)} sent</dd>
      <dt>TFTP errors</dt><dd>${counts(b.tftp.errors)}</dd>
      <dt>PXE</dt><dd>${b.pxe.running ? 'running' : 'stopped'}; ${b.pxe.received} requests received</dd>
      <dt>PXE outcomes</dt><dd>${counts(b.pxe.outcomes)}</dd>
      <dt>Malformed</dt><dd>${counts(b.pxe.malformed)}</dd>
      <dt>Clients seen</dt><dd>${b.clientsSeen}</dd>
      <dt>Boot decisions</dt><dd>${b.bootDecisions}</dd>
      <dt>HTTP boot requests</dt><dd>${b.httpBootRequests}</dd>
      <dt>Ports</dt><dd>FTUnicast ${b.ports.ftUnicast}; agent TCP ${b.ports.agentTcp1}, ${b.ports.agentTcp2},
        ${b.ports.agentTcp3}; agent UDP ${b.ports.agentUdp}, search ${b.ports.agentSearchUdp}</dd></dl>`;
  }

  renderAgents() {
    const {agents, link} = this.data;
    const admin = isAdmin(this.session);
    return html`<h2>Agents</h2>
      <p id="agent-link">Agent link on port ${link.port}, ${link.connectedAgents} connected; server certificate
        <code>${link.certificateFingerprint}</code></p>
      <table id="agents" aria-label="Connected agents"><thead><tr><th scope="col">MAC</th><th scope="col">Machine</th>
        <th scope="col">Host</th><th scope="col">Address</th><th scope="col">OS</th><th scope="col">Version</th>
        <th scope="col">Last heartbeat</th>${admin ? html`<th scope="col"><span class="visually-hidden">Actions
        </span></th>` : nothing}</tr></thead>
        <tbody>${agents.map((a) => html`<tr><td>${a.mac}</td><td>${a.machineId ?? '(not registered)'}</td>
          <td>${a.hostName}</td><td>${a.remoteAddress}</td><td>${a.deployOs ? 'Deploy-OS' : a.os}</td>
          <td>${a.agentVersion}</td><td>${a.lastHeartbeat}</td>
          ${admin ? html`<td>${a.machineId != null ? html`<button type="button" aria-label="Disconnect ${a.mac}"
              @click=${() => this.act(`Disconnect ${a.mac}`, () => api('DELETE',
                  `agents/connections/${a.machineId}`))}>Disconnect</button>` : nothing}
            <button type="button" aria-label="Withdraw the credential of ${a.mac}"
              @click=${() => confirm(`Withdraw the credential of ${a.mac}?`) && this.act(`Credential of ${a.mac}`,
                  () => api('DELETE', `agents/${encodeURIComponent(a.mac)}/credential`))}>Withdraw credential
            </button></td>` : nothing}</tr>`)}</tbody></table>
      ${agents.length ? nothing : html`<p class="empty">No agent is connected.</p>`}`;
  }

  renderImages() {
    const admin = isAdmin(this.session);
    const operator = canChange(this.session);
    const describe = async (name) => {
      this.detail = await this.act(`Describe ${name}`, () => api('GET', `images/${encodeURIComponent(name)}`),
          false);
    };
    const verify = async (name) => {
      this.message = `Verifying ${name}…`;
      const r = await this.act(`Verify ${name}`, () => api('POST', `images/${encodeURIComponent(name)}/verify`),
          false);
      if (r) this.message = r.ok ? `${name}: every chunk verified (${r.chunks} chunks).`
        : `${name}: ${r.unreadable || `${r.badChunks.length} bad chunk(s)`}`;
    };
    const d = this.detail;
    return html`<h2>Images</h2>
      <table id="images" aria-label="Images"><thead><tr><th scope="col">Name</th><th scope="col">Size</th>
        <th scope="col">Machine model</th><th scope="col">Source</th><th scope="col">Created</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${this.data.map((i) => html`<tr data-image=${i.name}><td>${i.name}</td><td>${bytes(i.size)}</td>
          <td>${i.summary ? i.summary.machineModel : ''}</td><td>${i.summary ? i.summary.sourceMachine : ''}</td>
          <td>${i.summary ? i.summary.created : html`<span class="error">${i.problem}</span>`}</td>
          <td><button type="button" aria-label="Describe ${i.name}" @click=${() => describe(i.name)}>Describe</button>
            ${operator ? html`<button type="button" aria-label="Verify ${i.name}" @click=${() => verify(i.name)}>
              Verify</button>` : nothing}
            ${admin ? html`<button type="button" aria-label="Delete ${i.name}" @click=${() =>
              confirm(`Delete the image ${i.name}?`) && this.act(`Delete ${i.name}`,
                  () => api('DELETE', `images/${encodeURIComponent(i.name)}`))}>Delete</button>` : nothing}</td>
        </tr>`)}</tbody></table>
      ${this.data.length ? nothing : html`<p class="empty">No image in the Folder for Image.</p>`}
      ${d ? html`<section aria-label="Image ${d.name}"><h3>${d.name}</h3><dl>
        <dt>Image id</dt><dd>${d.imageId}</dd><dt>Format</dt><dd>${d.formatVersion}</dd>
        <dt>Created</dt><dd>${d.created}</dd><dt>Deploy-OS</dt><dd>${d.deployOsId}</dd>
        <dt>Source</dt><dd>${[d.source.name, d.source.mac, d.source.uuid].filter(Boolean).join(', ')}</dd>
        <dt>Chunks</dt><dd>${d.chunks} (${d.holes} holes), ${bytes(d.storedBytes)} stored</dd>
        <dt>Disks</dt><dd>${d.disks.map((k) => `disk ${k.number}: ${bytes(k.sizeBytes)}, partitions `
            + `${k.partitions.map((p) => p.number).join(', ') || 'none'}`).join('; ')}</dd></dl></section>`
        : nothing}`;
  }

  renderMulticast() {
    const operator = canChange(this.session);
    return html`<h2>Multicast sessions <span class="live">live</span></h2>
      <table id="multicast" aria-label="Multicast sessions"><thead><tr><th scope="col">Session</th>
        <th scope="col">Scenario</th><th scope="col">Image</th><th scope="col">State</th><th scope="col">Members</th>
        <th scope="col">Rate</th><th scope="col">Message</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${this.data.map((s) => html`<tr data-session=${s.id}><td>${s.id}</td><td>${s.scenarioName}</td>
          <td>${s.imageName}</td><td>${s.state}</td>
          <td>${s.members.map((m) => `${m.machineName} ${m.state}${m.percent != null ? ` ${m.percent} %` : ''}`)
              .join(', ')}</td>
          <td>${s.rateBytesPerSecond ? `${bytes(s.rateBytesPerSecond)}/s` : ''}</td><td>${s.message || ''}</td>
          <td>${operator && s.state === 'WAITING' ? html`<button type="button" aria-label="Execute session ${s.id} now"
              @click=${() => this.act(`Execute Now ${s.id}`, () => api('POST', `multicast-sessions/${s.id}/start`))}>
            Execute Now</button>` : nothing}</td></tr>`)}</tbody></table>
      ${this.data.length ? nothing : html`<p class="empty">No multicast session.</p>`}`;
  }

  render() {
    const views = VIEWS.filter((v) => !v.admin || isAdmin(this.session));
    const body = {settings: () => this.renderSettings(), users: () => this.renderUsers(),
      plugins: () => this.renderPlugins(), boot: () => this.renderBoot(), agents: () => this.renderAgents(),
      images: () => this.renderImages(), multicast: () => this.renderMulticast()}[this.view];
    return html`<div class="management">
      <nav aria-label="Management"><ul>${views.map((v) => html`<li><button type="button" id="manage-${v.id}"
          aria-current=${this.view === v.id ? 'page' : 'false'} @click=${() => this.open(v.id)}>${v.label}</button>
        </li>`)}</ul></nav>
      <section class="panel" id="management-${this.view}">
        <p class="message" id="management-message" role="status">${this.message}</p>
        ${this.data === null ? html`<p class="loading">Reading…</p>` : body()}
      </section></div>`;
  }
}

customElements.define('dpm-management', DpmManagement);
