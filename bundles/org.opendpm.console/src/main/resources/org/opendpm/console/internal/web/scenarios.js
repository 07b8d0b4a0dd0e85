import {LitElement, html, nothing} from 'lit';
import {api, isAdmin, fieldPath, ApiError} from './api.js';
import {watchScenarioTypes} from './scenario-types.js';
import {fieldId, initialValues, renderFields, settingsOf} from './schema-form.js';

/**
 * The scenarios of one scenario group: each with its tabs and whether its plugins are there ("plugin unavailable"
 * as soon as the installed types change), and the editor for a new or an existing scenario.
 */
class DpmScenarios extends LitElement {
  static properties = {session: {}, group: {}, groups: {}, scenarios: {state: true}, types: {state: true},
    editing: {state: true}, message: {state: true}};

  constructor() {
    super();
    this.scenarios = [];
    this.types = [];
    this.editing = null;
    this.message = '';
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    // A plugin coming or going changes which scenarios are available: read them again then.
    this.unwatch = watchScenarioTypes((types) => {
      this.types = types;
      this.load();
    });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unwatch();
  }

  updated(changed) {
    if (changed.has('group') && changed.get('group') !== undefined) {
      this.editing = null;
      this.load();
    }
  }

  async load() {
    if (!this.group) return;
    try {
      this.scenarios = await api('GET', `scenarios?group=${this.group.id}`);
      if (this.editing && this.editing !== 'new') {
        const now = this.scenarios.find((s) => s.id === this.editing.id);
        if (now) this.editing = now;
      }
    } catch (e) {
      this.message = `The scenarios could not be read: ${e.message}`;
    }
  }

  async remove(s) {
    if (!confirm(`Delete the scenario ${s.name}?`)) return;
    try {
      await api('DELETE', `scenarios/${s.id}`);
      this.message = `Scenario ${s.name} deleted.`;
      this.editing = null;
      await this.load();
    } catch (e) {
      this.message = `Delete refused: ${e.message}`;
    }
  }

  typeName(key) {
    const t = this.types.find((x) => x.key === key);
    return t ? t.displayName : key;
  }

  render() {
    const admin = isAdmin(this.session);
    return html`
      <div class="toolbar">
        <h2>Scenarios in ${this.group.path}</h2>
        ${admin ? html`<button type="button" id="new-scenario" @click=${() => { this.editing = 'new'; }}>
          New scenario</button>` : nothing}
      </div>
      <p class="message" id="scenarios-message" role="status">${this.message}</p>
      <table class="scenarios" aria-label="Scenarios of ${this.group.path}">
        <thead><tr><th scope="col">Name</th><th scope="col">Tabs</th><th scope="col">Availability</th>
          <th scope="col">Machines</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${this.scenarios.map((s) => html`<tr data-scenario=${s.id}>
          <td>${s.name}${s.builtIn ? html` <span class="tag">built in</span>` : nothing}</td>
          <td>${Object.keys(s.tabs || {}).map((k) => this.typeName(k)).join(', ')}</td>
          <td class="availability ${s.available ? '' : 'unavailable'}">${s.available ? 'available'
            : unavailable(s.unavailableReason)}</td>
          <td>${s.assignedMachines}</td>
          <td><button type="button" class="open-scenario" @click=${() => { this.editing = s; }}
              aria-label="Open ${s.name}">${admin && !s.builtIn ? 'Edit' : 'View'}</button>
            ${admin && !s.builtIn ? html`<button type="button" class="delete-scenario"
              aria-label="Delete ${s.name}" @click=${() => this.remove(s)}>Delete</button>` : nothing}</td>
        </tr>`)}</tbody>
      </table>
      ${this.scenarios.length ? nothing : html`<p class="empty">No scenario in this group.</p>`}
      ${this.editing ? html`<dpm-scenario-editor .session=${this.session} .types=${this.types} .groups=${this.groups}
          .group=${this.group} .scenario=${this.editing === 'new' ? null : this.editing}
          @saved=${(e) => { this.message = `Scenario ${e.detail.name} saved.`; this.editing = e.detail; this.load(); }}
          @closed=${() => { this.editing = null; }}></dpm-scenario-editor>` : nothing}`;
  }
}

/** "plugin unavailable" with the server's reason, which may say so itself. */
function unavailable(reason) {
  if (!reason) return 'plugin unavailable';
  return reason.toLowerCase().startsWith('plugin unavailable') ? reason : `plugin unavailable: ${reason}`;
}

/** Tabs: General, one per installed scenario type (drawn from its schema), any whose plugin is gone, Option. */
class DpmScenarioEditor extends LitElement {
  static properties = {session: {}, types: {}, groups: {}, group: {}, scenario: {}, name: {state: true},
    groupId: {state: true}, included: {state: true}, values: {state: true}, options: {state: true},
    errors: {state: true}, active: {state: true}, busy: {state: true}};

  createRenderRoot() {
    return this;
  }

  willUpdate(changed) {
    // A different scenario (or a new one) fills the form afresh; the same one read again keeps what is typed.
    const id = this.scenario ? this.scenario.id : null;
    if (changed.has('scenario') && (this.loadedId === undefined || this.loadedId !== id)) {
      const s = this.scenario;
      this.loadedId = id;
      this.name = s ? s.name : '';
      this.groupId = s ? s.groupId : this.group.id;
      this.included = new Set(Object.keys((s && s.tabs) || {}));
      this.values = {};
      this.options = {...((s && s.options) || {})};
      this.errors = {};
      this.active = 'general';
    }
    if (changed.has('types') || changed.has('scenario')) {
      for (const t of this.types || []) {
        if (!(t.key in this.values) && t.settingsSchema) {
          this.values = {...this.values, [t.key]: initialValues(t.settingsSchema, this.scenario
              && this.scenario.tabs ? this.scenario.tabs[t.key] : undefined)};
        }
      }
    }
  }

  readOnly() {
    return !isAdmin(this.session) || (this.scenario && this.scenario.builtIn);
  }

  tabIds() {
    const installed = (this.types || []).map((t) => t.key);
    const gone = [...this.included].filter((k) => !installed.includes(k));
    return ['general', ...installed, ...gone, 'option'];
  }

  tabLabel(id) {
    if (id === 'general') return 'General';
    if (id === 'option') return 'Option';
    const t = this.types.find((x) => x.key === id);
    return t ? t.displayName : `${id} (plugin unavailable)`;
  }

  keydown(event) {
    const ids = this.tabIds();
    const i = ids.indexOf(this.active);
    const next = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: ids.length - 1}[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.show(ids[(next + ids.length) % ids.length], true);
  }

  async show(id, focusTab) {
    this.active = id;
    await this.updateComplete;
    if (focusTab) this.querySelector(`#scenario-tab-${CSS.escape(id)}`)?.focus();
  }

  change(tab, name, value) {
    this.values = {...this.values, [tab]: {...this.values[tab], [name]: value}};
    if (!this.included.has(tab)) this.included = new Set([...this.included, tab]);
  }

  include(tab, on) {
    const next = new Set(this.included);
    if (on) next.add(tab); else next.delete(tab);
    this.included = next;
  }

  body() {
    const tabs = {};
    for (const key of this.included) {
      const t = this.types.find((x) => x.key === key);
      // A tab whose plugin is gone is sent as stored: the server names it, and the page offers to remove it.
      tabs[key] = t && t.settingsSchema ? settingsOf(t.settingsSchema, this.values[key] || {})
        : (this.scenario && this.scenario.tabs ? this.scenario.tabs[key] : {});
    }
    return {name: this.name, groupId: Number(this.groupId), tabs, options: {
      forcedRebootBeforeExecution: !!this.options.forcedRebootBeforeExecution,
      powerOffAfterExecution: !!this.options.powerOffAfterExecution}};
  }

  async save(event) {
    event.preventDefault();
    this.busy = true;
    this.errors = {};
    try {
      const saved = this.scenario
        ? await api('PUT', `scenarios/${this.scenario.id}`, this.body())
        : await api('POST', 'scenarios', this.body());
      this.dispatchEvent(new CustomEvent('saved', {detail: saved}));
    } catch (e) {
      await this.placeError(e);
    } finally {
      this.busy = false;
    }
  }

  /** Puts the server's message on its field (name, groupId, tabs.<type>.<setting>, options.<x>) and shows it. */
  async placeError(e) {
    const path = e instanceof ApiError ? fieldPath(e.problem) : [];
    let tab = 'general';
    let focus = null;
    if (path[0] === 'tabs' && path[1]) {
      tab = path[1];
      const setting = path[2];
      this.errors = {tabs: {[tab]: setting ? {[setting]: e.message} : {}}, tab: setting ? {} : {[tab]: e.message}};
      focus = setting ? fieldId(tab, setting) : null;
    } else if (path[0] === 'options') {
      tab = 'option';
      this.errors = {form: e.message};
    } else if (path[0] === 'name' || path[0] === 'groupId' || path[0] === 'groupPath') {
      this.errors = {[path[0] === 'name' ? 'name' : 'group']: e.message};
      focus = path[0] === 'name' ? 'scenario-name' : 'scenario-group';
    } else {
      this.errors = {form: e.message};
    }
    await this.show(this.tabIds().includes(tab) ? tab : 'general');
    if (focus) this.querySelector(`#${focus}`)?.focus();
  }

  renderPanel(id) {
    const ro = this.readOnly();
    if (id === 'general') {
      return html`<div class="field"><label for="scenario-name">Name</label>
          <input id="scenario-name" .value=${this.name} ?disabled=${ro} aria-invalid=${!!this.errors.name}
              aria-describedby="scenario-name-error" @input=${(e) => { this.name = e.target.value; }}>
          <span class="error" id="scenario-name-error">${this.errors.name || ''}</span></div>
        <div class="field"><label for="scenario-group">Group</label>
          <select id="scenario-group" ?disabled=${ro} aria-invalid=${!!this.errors.group}
              aria-describedby="scenario-group-error" @change=${(e) => { this.groupId = Number(e.target.value); }}>
            ${(this.groups || []).map((g) => html`<option value=${g.id} ?selected=${g.id === this.groupId}>
              ${g.path}</option>`)}</select>
          <span class="error" id="scenario-group-error">${this.errors.group || ''}</span></div>`;
    }
    if (id === 'option') {
      const box = (key, text) => html`<div class="field check">
        <input type="checkbox" id="option-${key}" ?disabled=${ro} .checked=${!!this.options[key]}
            @change=${(e) => { this.options = {...this.options, [key]: e.target.checked}; }}>
        <label for="option-${key}">${text}</label></div>`;
      return html`${box('forcedRebootBeforeExecution', 'Forced reboot before execution')}
        ${box('powerOffAfterExecution', 'Power off after execution')}`;
    }
    const type = this.types.find((t) => t.key === id);
    const tabError = (this.errors.tab || {})[id];
    if (!type) {
      return html`<p class="unavailable" id="tab-${id}-unavailable">Plugin unavailable: no installed plugin
          provides the scenario type <code>${id}</code>. This scenario cannot be executed until it is installed
          again.</p>
        <pre class="settings">${JSON.stringify((this.scenario && this.scenario.tabs || {})[id] || {}, null, 2)}</pre>
        ${ro ? nothing : html`<button type="button" id="tab-${id}-remove" @click=${() => this.include(id, false)}>
          Remove this tab</button>`}
        <p class="error" role="alert">${tabError || ''}</p>`;
    }
    if (!type.settingsSchema) {
      return html`<p class="error">The plugin's settings schema cannot be read: ${type.schemaError}</p>`;
    }
    const on = this.included.has(id);
    return html`<div class="field check">
        <input type="checkbox" id="tab-${id}-included" ?disabled=${ro} .checked=${on}
            @change=${(e) => this.include(id, e.target.checked)}>
        <label for="tab-${id}-included">Use ${type.displayName} in this scenario</label></div>
      ${type.settingsSchema.description ? html`<p class="hint">${type.settingsSchema.description}</p>` : nothing}
      ${type.needsDeployOs ? html`<p class="hint">Runs in the machine's Deploy-OS.</p>` : nothing}
      <div class="tab-fields">${renderFields(id, type.settingsSchema, this.values[id] || {},
          (this.errors.tabs || {})[id] || {}, (name, value) => this.change(id, name, value), ro)}</div>
      <p class="error" role="alert">${tabError || ''}</p>`;
  }

  render() {
    const ids = this.tabIds();
    const ro = this.readOnly();
    const title = this.scenario ? `Scenario ${this.scenario.name}` : `New scenario in ${this.group.path}`;
    return html`<form class="scenario-editor" id="scenario-editor" novalidate aria-labelledby="scenario-editor-title"
        @submit=${(e) => this.save(e)}>
      <h3 id="scenario-editor-title">${title}</h3>
      <div role="tablist" aria-label="Scenario tabs" @keydown=${(e) => this.keydown(e)}>
        ${ids.map((id) => {
          const bad = id === 'general' ? this.errors.name || this.errors.group
            : (this.errors.tabs || {})[id] || (this.errors.tab || {})[id];
          return html`<button type="button" role="tab" id="scenario-tab-${id}" aria-controls="scenario-panel"
            aria-selected=${this.active === id} tabindex=${this.active === id ? 0 : -1}
            class="${this.included.has(id) ? 'included' : ''} ${bad ? 'invalid' : ''}"
            @click=${() => this.show(id)}>${this.tabLabel(id)}</button>`;
        })}
      </div>
      <div role="tabpanel" id="scenario-panel" aria-labelledby="scenario-tab-${this.active}" tabindex="0">
        ${this.renderPanel(this.active)}</div>
      <p class="error" id="scenario-form-error" role="alert">${this.errors.form || ''}</p>
      <div class="actions">
        ${ro ? nothing : html`<button type="submit" id="scenario-save" ?disabled=${this.busy}>Save</button>`}
        <button type="button" id="scenario-close" @click=${() => this.dispatchEvent(new CustomEvent('closed'))}>
          Close</button>
      </div>
    </form>`;
  }
}

customElements.define('dpm-scenarios', DpmScenarios);
customElements.define('dpm-scenario-editor', DpmScenarioEditor);
