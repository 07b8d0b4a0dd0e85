import {LitElement, html, nothing} from 'lit';
import {api, canChange, isAdmin, eachLimited} from './api.js';
import './scenarios.js';
import './machine-list.js';
import './inventory-forms.js';
import './schedules.js';

const NEW_MACHINES = 'new';

/**
 * Operations: the machine groups with New Machines and the scenario groups on the left; on the right the machines of
 * the chosen group (filtered by the server's text search, several selectable for bulk actions) or the scenarios of
 * the chosen scenario group.
 */
class DpmOperations extends LitElement {
  static properties = {
    session: {}, groups: {state: true}, selected: {state: true}, reloads: {state: true},
    query: {state: true}, chosen: {state: true}, panel: {state: true}, editMachine: {state: true},
    message: {state: true}, newMachines: {state: true}, target: {state: true}, scenarioGroups: {state: true},
    scenarioGroup: {state: true}, scenarioChoices: {state: true}, bulkScenario: {state: true},
    bulkGroup: {state: true},
  };

  constructor() {
    super();
    this.groups = [];
    this.selected = null;
    this.reloads = 0;
    this.query = '';
    this.chosen = new Set();
    this.panel = null;
    this.editMachine = null;
    this.message = '';
    this.newMachines = [];
    this.target = '';
    this.scenarioGroups = [];
    this.scenarioGroup = null;
    this.scenarioChoices = [];
    this.bulkScenario = '';
    this.bulkGroup = '';
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
      [this.groups, this.scenarioGroups, this.scenarioChoices] = await Promise.all([api('GET', 'groups'),
        api('GET', 'scenario-groups'), api('GET', 'scenarios')]);
      if (this.selected === null && this.groups.length) this.choose(this.groups[0].id);
    } catch (e) {
      this.message = `Groups could not be read: ${e.message}`;
    }
  }

  chooseScenarioGroup(id) {
    this.scenarioGroup = id;
    this.selected = null;
    this.message = '';
  }

  choose(id) {
    this.scenarioGroup = null;
    this.selected = id;
    this.chosen = new Set();
    this.panel = null;
    this.message = '';
    this.load();
  }

  /** Reads the chosen list again: New Machines, or the machine list keeping its place. */
  async load() {
    if (this.selected !== NEW_MACHINES) {
      this.reloads++;
      return;
    }
    try {
      this.newMachines = await api('GET', 'new-machines');
    } catch (e) {
      this.message = `New Machines could not be read: ${e.message}`;
    }
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

  /** A per-machine action on every machine ticked: says how many it was done for and why the others refused. */
  async bulkEach(label, call) {
    const ids = [...this.chosen];
    this.message = `${label}: ${ids.length} machine(s)…`;
    const failures = await eachLimited(ids, call);
    const done = ids.length - failures.length;
    this.message = failures.length
      ? `${label}: done for ${done} machine(s), refused for ${failures.length}: ${failures[0].error.message}`
      : `${label}: done for ${done} machine(s).`;
    this.chosen = new Set(failures.map((f) => f.item));
    await this.load();
    await this.loadGroups();
  }

  /** Opens a panel (a form, the schedules, the CSV import, the rule files) or closes the one open. */
  open(panel) {
    this.panel = this.panel === panel ? null : panel;
  }

  async properties() {
    try {
      this.editMachine = await api('GET', `machines/${[...this.chosen][0]}`);
      this.panel = 'machine';
    } catch (e) {
      this.message = `The machine could not be read: ${e.message}`;
    }
  }

  /** A form saved or a file imported: its message, the panel closed, the lists read again. */
  async changed(message) {
    this.panel = null;
    this.message = message;
    await this.load();
    await this.loadGroups();
  }

  renderTree() {
    const item = (id, label, count, depth, selected, choose, attr) => html`<li role="treeitem"
        aria-selected=${selected} aria-level=${depth} style="padding-left:${depth - 1}em">
      <button type="button" class="tree-item" data-group=${attr === 'group' ? id : nothing}
          data-scenario-group=${attr === 'group' ? nothing : id} @click=${choose}>
        ${label} ${count === undefined ? nothing : html`<span class="count">${count}</span>`}</button></li>`;
    return html`<nav class="tree" aria-label="Resources">
      <h2 id="tree-machines">Machines</h2>
      <ul role="tree" aria-labelledby="tree-machines" @keydown=${(e) => treeKeys(e)}>
        ${item(NEW_MACHINES, 'New Machines', undefined, 1, this.selected === NEW_MACHINES,
            () => this.choose(NEW_MACHINES), 'group')}
        ${this.groups.map((g) => item(g.id, g.name, g.machineCount, g.depth, this.selected === g.id,
            () => this.choose(g.id), 'group'))}
      </ul>
      <h2 id="tree-scenarios">Scenarios</h2>
      <ul role="tree" aria-labelledby="tree-scenarios" @keydown=${(e) => treeKeys(e)}>
        ${this.scenarioGroups.map((g) => item(g.id, g.name, g.scenarioCount, g.depth, this.scenarioGroup === g.id,
            () => this.chooseScenarioGroup(g.id), 'scenario-group'))}
      </ul>
    </nav>`;
  }

  renderPanel() {
    const group = this.groups.find((x) => x.id === this.selected);
    switch (this.panel) {
    case 'new-machine':
      return html`<dpm-machine-form .group=${this.selected} .path=${this.groupPath()}></dpm-machine-form>`;
    case 'machine':
      return html`<dpm-machine-form .machine=${this.editMachine}></dpm-machine-form>`;
    case 'new-group':
      return html`<dpm-group-form .group=${group} .creating=${true}></dpm-group-form>`;
    case 'group':
      return html`<dpm-group-form .group=${group} .creating=${false}></dpm-group-form>`;
    case 'csv':
      return html`<dpm-csv-import></dpm-csv-import>`;
    case 'rules':
      return html`<dpm-rule-files .session=${this.session}></dpm-rule-files>`;
    case 'schedules':
      return html`<dpm-schedules .session=${this.session} .group=${this.selected} .path=${this.groupPath()}
          .chosen=${this.chosen} .scenarios=${this.scenarioChoices.filter((s) => s.available)}></dpm-schedules>`;
    default:
      return nothing;
    }
  }

  groupPath() {
    const g = this.groups.find((x) => x.id === this.selected);
    return g ? g.path : '';
  }

  renderMachines() {
    const change = canChange(this.session);
    return html`
      <div class="toolbar">
        <h2>${this.groupPath()}</h2>
        <label for="machine-filter">Filter</label>
        <input id="machine-filter" type="search" placeholder="name, IP, MAC, UUID, model" .value=${this.query}
            @change=${(e) => { this.query = e.target.value; }}>
      </div>
      <div class="toolbar" role="toolbar" aria-label="Group and machine properties">
        ${isAdmin(this.session) ? html`
          <button type="button" id="new-machine" @click=${() => this.open('new-machine')}>New machine</button>
          <button type="button" id="machine-properties" ?disabled=${this.chosen.size !== 1}
              @click=${() => this.properties()}>Machine properties</button>
          <button type="button" id="new-group" @click=${() => this.open('new-group')}>New sub-group</button>
          <button type="button" id="group-properties" @click=${() => this.open('group')}>Group properties</button>
          <button type="button" id="import-csv" @click=${() => this.open('csv')}>Import CSV</button>` : nothing}
        <button type="button" id="open-schedules" aria-pressed=${this.panel === 'schedules'}
            @click=${() => this.open('schedules')}>Schedules</button>
        <button type="button" id="open-rules" aria-pressed=${this.panel === 'rules'}
            @click=${() => this.open('rules')}>Registration rules</button>
      </div>
      ${change ? this.renderBulk() : nothing}
      <div class="panel-area" @changed=${(e) => this.changed(e.detail)} @closed=${() => { this.panel = null; }}>
        ${this.renderPanel()}</div>
      <dpm-machine-list .session=${this.session} .group=${this.selected} .path=${this.groupPath()}
          .query=${this.query} .chosen=${this.chosen} .reloads=${this.reloads}
          @toggle=${(e) => this.toggle(e.detail.id, e.detail.on)}
          @failed=${(e) => { this.message = `The machines could not be read: ${e.detail}`; }}></dpm-machine-list>`;
  }

  /** The actions on the machines ticked, as far as the signed-in user's role allows them. */
  renderBulk() {
    const none = !this.chosen.size;
    const each = (label, call) => () => this.bulkEach(label, call);
    const power = (action, label) => html`<button type="button" id="bulk-power-${action}" ?disabled=${none}
        @click=${each(label, (id) => api('POST', `machines/${id}/power`, {action}))}>${label}</button>`;
    const assignable = this.scenarioChoices.filter((s) => s.available);
    return html`<div class="toolbar bulk" role="toolbar" aria-label="Actions on the selected machines">
      <span id="bulk-count">${this.chosen.size} selected</span>
      <label for="bulk-scenario">Scenario</label>
      <select id="bulk-scenario" @change=${(e) => { this.bulkScenario = e.target.value; }}>
        <option value="">(choose a scenario)</option>
        ${assignable.map((s) => html`<option value=${s.id}>${s.groupPath}/${s.name}</option>`)}
      </select>
      <button type="button" id="bulk-assign" ?disabled=${none || !this.bulkScenario}
          @click=${() => this.bulk('Assign', (ids) => api('POST', `scenarios/${this.bulkScenario}/assignments`,
              {machineIds: ids}))}>Assign</button>
      <button type="button" id="bulk-execute" ?disabled=${none}
          @click=${() => this.bulk('Execute', (ids) => api('POST', 'executions', {machineIds: ids}))}>
        Execute assigned scenario</button>
      ${power('on', 'Power on')}${power('off', 'Power off')}${power('reboot', 'Reboot')}
      <button type="button" id="bulk-remove-error" ?disabled=${none}
          @click=${each('Remove Error', (id) => api('POST', `machines/${id}/remove-error`))}>Remove Error</button>
      ${isAdmin(this.session) ? html`
        <label for="bulk-group">Move to</label>
        <select id="bulk-group" @change=${(e) => { this.bulkGroup = e.target.value; }}>
          <option value="">(choose a group)</option>
          ${this.groups.map((g) => html`<option value=${g.id}>${g.path}</option>`)}
        </select>
        <button type="button" id="bulk-move" ?disabled=${none || !this.bulkGroup}
            @click=${() => this.bulk('Move', (ids) => api('POST', 'machines/move',
                {machineIds: ids, groupId: Number(this.bulkGroup)}))}>Move</button>
        <button type="button" id="bulk-delete" ?disabled=${none}
            @click=${() => confirm(`Delete ${this.chosen.size} machine(s)?`)
                && each('Delete', (id) => api('DELETE', `machines/${id}`))()}>Delete</button>` : nothing}
    </div>`;
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
    const sg = this.scenarioGroups.find((g) => g.id === this.scenarioGroup);
    let content;
    if (sg) {
      content = html`<dpm-scenarios .session=${this.session} .group=${sg} .groups=${this.scenarioGroups}>
        </dpm-scenarios>`;
    } else {
      content = html`<p class="message" id="operations-message" role="status">${this.message}</p>
        ${this.selected === NEW_MACHINES ? this.renderNewMachines() : this.renderMachines()}`;
    }
    return html`<div class="operations">
      ${this.renderTree()}
      <section class="content" aria-live="polite">${content}</section></div>`;
  }
}

/** Up and down arrows move between the items of a tree, Home and End to its ends. */
function treeKeys(event) {
  const items = [...event.currentTarget.querySelectorAll('.tree-item')];
  const i = items.indexOf(document.activeElement);
  const next = {ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1}[event.key];
  if (i < 0 || next === undefined || next < 0 || next >= items.length) return;
  event.preventDefault();
  items[next].focus();
}

customElements.define('dpm-operations', DpmOperations);
