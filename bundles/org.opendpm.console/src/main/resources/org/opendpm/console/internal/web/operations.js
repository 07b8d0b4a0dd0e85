import {LitElement, html, nothing} from 'lit';
import {api, canChange, ApiError} from './api.js';

const PAGE = 100;
const NEW_MACHINES = 'new';

/** The form fields of a machine and the field names the server's problems give for them. */
const FIELDS = [
  {id: 'name', label: 'Name', server: ['name']},
  {id: 'mac', label: 'MAC address', server: ['macs', 'primaryMac']},
  {id: 'uuid', label: 'UUID', server: ['uuid']},
  {id: 'ip', label: 'IP address', server: ['ip']},
  {id: 'model', label: 'Model', server: ['model']},
];

/**
 * Operations: the group tree and New Machines on the left; on the right the machines of the chosen group, a page at a
 * time from the server (filtered by its text search), sortable within the page, several selectable for bulk actions.
 */
class DpmOperations extends LitElement {
  static properties = {
    session: {}, groups: {state: true}, selected: {state: true}, page: {state: true}, offset: {state: true},
    query: {state: true}, sort: {state: true}, chosen: {state: true}, form: {state: true}, errors: {state: true},
    message: {state: true}, newMachines: {state: true}, target: {state: true},
  };

  constructor() {
    super();
    this.groups = [];
    this.selected = null;
    this.page = null;
    this.offset = 0;
    this.query = '';
    this.sort = {key: 'name', up: true};
    this.chosen = new Set();
    this.form = false;
    this.errors = {};
    this.message = '';
    this.newMachines = [];
    this.target = '';
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.loadGroups();
  }

  async loadGroups() {
    try {
      this.groups = await api('GET', 'groups');
      if (this.selected === null && this.groups.length) this.choose(this.groups[0].id);
    } catch (e) {
      this.message = `Groups could not be read: ${e.message}`;
    }
  }

  choose(id) {
    this.selected = id;
    this.offset = 0;
    this.chosen = new Set();
    this.form = false;
    this.message = '';
    this.load();
  }

  async load() {
    try {
      if (this.selected === NEW_MACHINES) {
        this.newMachines = await api('GET', 'new-machines');
        return;
      }
      const q = this.query ? `&q=${encodeURIComponent(this.query)}` : '';
      this.page = await api('GET', `machines?group=${this.selected}&offset=${this.offset}&limit=${PAGE}${q}`);
    } catch (e) {
      this.message = `The machines could not be read: ${e.message}`;
    }
  }

  sorted() {
    const {key, up} = this.sort;
    const rows = [...(this.page ? this.page.machines : [])];
    rows.sort((a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? ''), undefined, {numeric: true})
        * (up ? 1 : -1));
    return rows;
  }

  sortBy(key) {
    this.sort = {key, up: this.sort.key === key ? !this.sort.up : true};
  }

  toggle(id, on) {
    const next = new Set(this.chosen);
    if (on) next.add(id); else next.delete(id);
    this.chosen = next;
  }

  async bulk(label, action) {
    this.message = '';
    try {
      await action([...this.chosen]);
      this.message = `${label}: done for ${this.chosen.size} machine(s).`;
      this.chosen = new Set();
      await this.load();
      await this.loadGroups();
    } catch (e) {
      this.message = `${label} refused: ${e.message}`;
    }
  }

  async create(event) {
    event.preventDefault();
    const f = event.target;
    const value = (id) => f.elements[id].value.trim() || undefined;
    const body = {groupId: this.selected, name: value('name'), macs: value('mac') ? [value('mac')] : [],
      uuid: value('uuid'), ip: value('ip'), model: value('model')};
    this.errors = {};
    try {
      const m = await api('POST', 'machines', body);
      this.form = false;
      this.message = `Machine ${m.name} registered in ${m.groupPath}.`;
      await this.load();
      await this.loadGroups();
    } catch (e) {
      if (e instanceof ApiError && e.problem.field) {
        const field = String(e.problem.field).replace(/\[\d+\]$/, '');
        const target = FIELDS.find((x) => x.server.includes(field));
        this.errors = {[target ? target.id : 'form']: e.problem.detail};
      } else {
        this.errors = {form: e.message};
      }
    }
  }

  renderTree() {
    const item = (id, label, extra) => html`<li role="treeitem" aria-selected=${this.selected === id}>
      <button type="button" class="tree-item" data-group=${id} @click=${() => this.choose(id)}>${label}</button>
      ${extra || nothing}</li>`;
    return html`<nav class="tree" aria-label="Resources">
      <h2>Machines</h2>
      <ul role="tree" aria-label="Machine groups">
        ${item(NEW_MACHINES, 'New Machines')}
        ${this.groups.map((g) => html`<li role="treeitem" aria-selected=${this.selected === g.id}
            style="padding-left:${g.depth - 1}em">
          <button type="button" class="tree-item" data-group=${g.id} @click=${() => this.choose(g.id)}>
            ${g.name} <span class="count">${g.machineCount}</span></button></li>`)}
      </ul>
    </nav>`;
  }

  renderForm() {
    return html`<form class="machine-form" id="machine-form" @submit=${(e) => this.create(e)}
        aria-labelledby="machine-form-title" novalidate>
      <h3 id="machine-form-title">New machine in ${this.groupPath()}</h3>
      ${FIELDS.map((f) => html`<div class="field">
        <label for="machine-${f.id}">${f.label}</label>
        <input id="machine-${f.id}" name=${f.id} aria-invalid=${!!this.errors[f.id]}
            aria-describedby="machine-${f.id}-error">
        <span class="error" id="machine-${f.id}-error">${this.errors[f.id] || ''}</span></div>`)}
      <p class="error" role="alert">${this.errors.form || ''}</p>
      <div class="actions">
        <button type="submit" id="machine-save">Register</button>
        <button type="button" @click=${() => { this.form = false; this.errors = {}; }}>Cancel</button>
      </div>
    </form>`;
  }

  groupPath() {
    const g = this.groups.find((x) => x.id === this.selected);
    return g ? g.path : '';
  }

  renderMachines() {
    const change = canChange(this.session);
    const page = this.page;
    const head = (key, label) => html`<th scope="col" aria-sort=${this.sort.key === key
        ? (this.sort.up ? 'ascending' : 'descending') : 'none'}>
        <button type="button" class="sort" @click=${() => this.sortBy(key)}>${label}</button></th>`;
    return html`
      <div class="toolbar">
        <h2>${this.groupPath()}</h2>
        <label for="machine-filter">Filter</label>
        <input id="machine-filter" type="search" placeholder="name, IP, MAC, UUID, model" .value=${this.query}
            @change=${(e) => { this.query = e.target.value; this.offset = 0; this.load(); }}>
        ${change ? html`
          <button type="button" id="new-machine" @click=${() => { this.form = true; this.errors = {}; }}>
            New machine</button>
          <button type="button" id="bulk-execute" ?disabled=${!this.chosen.size}
              @click=${() => this.bulk('Execute', (ids) => api('POST', 'executions', {machineIds: ids}))}>
            Execute assigned scenario</button>
          <button type="button" id="bulk-delete" ?disabled=${!this.chosen.size}
              @click=${() => this.bulk('Delete', (ids) => Promise.all(ids.map((id) => api('DELETE',
                  `machines/${id}`))))}>Delete</button>` : nothing}
      </div>
      ${this.form ? this.renderForm() : nothing}
      <table class="machines" aria-label="Machines of ${this.groupPath()}">
        <thead><tr>
          <th scope="col"><span class="visually-hidden">Selected</span></th>
          ${head('name', 'Name')}${head('primaryMac', 'MAC')}${head('ip', 'IP')}${head('model', 'Model')}
          ${head('statusLabel', 'Status')}${head('powerState', 'Power')}
        </tr></thead>
        <tbody>
          ${this.sorted().map((m) => html`<tr data-machine=${m.id}>
            <td><input type="checkbox" aria-label="Select ${m.name}" .checked=${this.chosen.has(m.id)}
                @change=${(e) => this.toggle(m.id, e.target.checked)}></td>
            <td>${m.name}</td><td>${m.primaryMac}</td><td>${m.ip || ''}</td><td>${m.model || ''}</td>
            <td>${m.statusLabel || 'Idle'}</td><td>${m.powerState || ''}</td></tr>`)}
        </tbody>
      </table>
      ${page ? html`<div class="pager">
        <button type="button" ?disabled=${this.offset === 0}
            @click=${() => { this.offset = Math.max(0, this.offset - PAGE); this.load(); }}>Previous</button>
        <span id="machine-range">${page.total ? `${page.offset + 1}–${page.offset + page.machines.length}` : '0'}
          of ${page.total}</span>
        <button type="button" ?disabled=${page.offset + page.machines.length >= page.total}
            @click=${() => { this.offset += PAGE; this.load(); }}>Next</button></div>` : nothing}`;
  }

  renderNewMachines() {
    const change = canChange(this.session);
    return html`
      <div class="toolbar">
        <h2>New Machines</h2>
        ${change ? html`
          <label for="register-group">Register into</label>
          <select id="register-group" @change=${(e) => { this.target = e.target.value; }}>
            <option value="">(choose a group)</option>
            ${this.groups.map((g) => html`<option value=${g.id}>${g.path}</option>`)}
          </select>
          <button type="button" id="register-new" ?disabled=${!this.chosen.size || !this.target}
              @click=${() => this.bulk('Register', (ids) => api('POST', 'new-machines/register',
                  {groupId: Number(this.target), machines: ids.map((id) => ({id}))}))}>Register</button>`
        : nothing}
      </div>
      <table class="machines" aria-label="New Machines">
        <thead><tr><th scope="col"><span class="visually-hidden">Selected</span></th><th scope="col">MAC</th>
          <th scope="col">UUID</th><th scope="col">IP</th><th scope="col">Name</th><th scope="col">Last seen</th>
        </tr></thead>
        <tbody>${this.newMachines.map((m) => html`<tr data-new-machine=${m.id}>
          <td><input type="checkbox" aria-label="Select ${m.mac}" .checked=${this.chosen.has(m.id)}
              @change=${(e) => this.toggle(m.id, e.target.checked)}></td>
          <td>${m.mac}</td><td>${m.uuid || ''}</td><td>${m.ip || ''}</td><td>${m.name || ''}</td>
          <td>${m.lastSeen}</td></tr>`)}</tbody>
      </table>`;
  }

  render() {
    return html`<div class="operations">
      ${this.renderTree()}
      <section class="content" aria-live="polite">
        <p class="message" id="operations-message" role="status">${this.message}</p>
        ${this.selected === NEW_MACHINES ? this.renderNewMachines() : this.renderMachines()}
      </section></div>`;
  }
}

customElements.define('dpm-operations', DpmOperations);
