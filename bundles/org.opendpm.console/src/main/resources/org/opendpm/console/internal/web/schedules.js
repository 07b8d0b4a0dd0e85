import {LitElement, html, nothing} from 'lit';
import {api, canChange, fieldPath, ApiError} from './api.js';

/** The form's fields and the server's field names (ScheduleResource) that land on each. */
const FIELD_OF = {name: 'name', scenarioId: 'scenario', machineIds: 'target', groupId: 'target',
  groupPath: 'target', includeSubgroups: 'target', kind: 'target', at: 'at', cron: 'cron', timeZone: 'timeZone'};

/**
 * Scenario schedules (SCH-1, SCH-3) of the chosen machine group or of the machines ticked in it: the list of every
 * schedule (GET /schedules), and create, edit, enable or disable and delete. A scenario runs on the ticked machines
 * (EXECUTE) or on every machine of the group (GROUP_EXECUTE), once at a date and time or repeating by a cron
 * expression, in a time zone. The server checks everything; its field errors land on the fields.
 */
class DpmSchedules extends LitElement {
  static properties = {session: {}, group: {}, path: {}, chosen: {}, scenarios: {},
    schedules: {state: true}, editing: {state: true}, errors: {state: true}, message: {state: true}};

  constructor() {
    super();
    this.schedules = [];
    this.editing = null;
    this.errors = {};
    this.message = '';
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.read();
  }

  async read() {
    try {
      this.schedules = await api('GET', 'schedules');
    } catch (e) {
      this.message = `The schedules could not be read: ${e.message}`;
    }
  }

  /** A new schedule's form: on the ticked machines when there are any, else on the group. */
  create() {
    this.errors = {};
    this.message = '';
    this.editing = {id: null, name: '', target: this.chosen.size ? 'machines' : 'group', scenarioId: '',
      timing: 'once', at: '', cron: '', includeSubgroups: false, enabled: true,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, machineIds: [...this.chosen]};
  }

  edit(s) {
    this.errors = {};
    this.message = '';
    this.editing = {id: s.id, name: s.name, target: s.kind === 'EXECUTE' ? 'machines' : 'group',
      scenarioId: String(s.scenarioId), timing: s.cron ? 'repeat' : 'once', at: s.at || '', cron: s.cron || '',
      includeSubgroups: s.includeSubgroups, enabled: s.enabled, timeZone: s.timeZone, machineIds: s.machineIds || [],
      groupId: s.groupId};
  }

  async save(event) {
    event.preventDefault();
    const f = event.target.elements;
    const e = this.editing;
    const target = f['schedule-target'].value;
    const body = {name: f['schedule-name'].value.trim(), kind: target === 'machines' ? 'EXECUTE' : 'GROUP_EXECUTE',
      scenarioId: f['schedule-scenario'].value ? Number(f['schedule-scenario'].value) : undefined,
      timeZone: f['schedule-zone'].value.trim(), enabled: f['schedule-enabled'].checked};
    if (target === 'machines') {
      body.machineIds = e.id !== null && !this.chosen.size ? e.machineIds : [...this.chosen];
    } else {
      body.groupId = e.id !== null && e.groupId ? e.groupId : this.group;
      body.includeSubgroups = f['schedule-subgroups'].checked;
    }
    if (f['schedule-timing'].value === 'once') body.at = f['schedule-at'].value || undefined;
    else body.cron = f['schedule-cron'].value.trim() || undefined;
    this.errors = {};
    try {
      const saved = e.id === null ? await api('POST', 'schedules', body)
        : await api('PUT', `schedules/${e.id}`, body);
      this.editing = null;
      this.message = `Schedule ${saved.name} saved; next run ${saved.nextFireAt || 'none'}.`;
      await this.read();
    } catch (err) {
      const where = err instanceof ApiError ? FIELD_OF[fieldPath(err.problem)[0]] : undefined;
      this.errors = {[where || 'form']: err.message};
      await this.updateComplete;
      this.querySelector(`#schedule-${where || 'name'}`)?.focus();
    }
  }

  async act(label, call) {
    try {
      await call();
      this.message = `${label}: done.`;
    } catch (e) {
      this.message = `${label} refused: ${e.message}`;
    }
    await this.read();
  }

  field(id, label, control, help) {
    return html`<div class="field"><label for="schedule-${id}">${label}</label>${control}
      ${help ? html`<span class="help" id="schedule-${id}-help">${help}</span>` : nothing}
      <span class="error" id="schedule-${id}-error">${this.errors[id] || ''}</span></div>`;
  }

  renderForm() {
    const e = this.editing;
    const invalid = (id) => !!this.errors[id];
    const described = (id) => `schedule-${id}-error schedule-${id}-help`;
    const machines = e.id !== null && !this.chosen.size ? e.machineIds.length : this.chosen.size;
    return html`<form class="schedule-form" id="schedule-form" novalidate @submit=${(ev) => this.save(ev)}
        aria-labelledby="schedule-form-title">
      <h3 id="schedule-form-title">${e.id === null ? 'New scenario schedule' : `Schedule ${e.name}`}</h3>
      ${this.field('name', 'Name', html`<input id="schedule-name" name="schedule-name" .value=${e.name}
          aria-invalid=${invalid('name')} aria-describedby=${described('name')}>`)}
      ${this.field('target', 'Runs on', html`<select id="schedule-target" name="schedule-target"
          aria-invalid=${invalid('target')} aria-describedby=${described('target')}
          @change=${(ev) => { this.editing = {...e, target: ev.target.value}; }}>
          <option value="machines" ?selected=${e.target === 'machines'}>the selected machines (${machines})</option>
          <option value="group" ?selected=${e.target === 'group'}>every machine of ${this.path}</option>
        </select>`)}
      ${e.target === 'group' ? html`<div class="field check"><input type="checkbox" id="schedule-subgroups"
          name="schedule-subgroups" .checked=${e.includeSubgroups}>
          <label for="schedule-subgroups">Include the sub-groups' machines</label></div>` : html`<input
          type="hidden" name="schedule-subgroups">`}
      ${this.field('scenario', 'Scenario', html`<select id="schedule-scenario" name="schedule-scenario"
          aria-invalid=${invalid('scenario')} aria-describedby=${described('scenario')}>
          <option value="">(choose a scenario)</option>
          ${this.scenarios.map((s) => html`<option value=${s.id} ?selected=${String(s.id) === e.scenarioId}>
            ${s.groupPath}/${s.name}</option>`)}</select>`)}
      ${this.field('timing', 'When', html`<select id="schedule-timing" name="schedule-timing"
          @change=${(ev) => { this.editing = {...e, timing: ev.target.value}; }}>
          <option value="once" ?selected=${e.timing === 'once'}>once, at a date and time</option>
          <option value="repeat" ?selected=${e.timing === 'repeat'}>repeating (cron)</option></select>`)}
      ${e.timing === 'once'
        ? this.field('at', 'Date and time', html`<input type="datetime-local" step="1" id="schedule-at"
            name="schedule-at" .value=${e.at} aria-invalid=${invalid('at')} aria-describedby=${described('at')}>`,
          'In the time zone below.')
        : this.field('cron', 'Cron expression', html`<input id="schedule-cron" name="schedule-cron" .value=${e.cron}
            aria-invalid=${invalid('cron')} aria-describedby=${described('cron')}>`,
          'Quartz: seconds minutes hours day-of-month month day-of-week, e.g. 0 30 7 ? * MON-FRI')}
      ${this.field('timeZone', 'Time zone', html`<input id="schedule-timeZone" name="schedule-zone"
          .value=${e.timeZone} aria-invalid=${invalid('timeZone')} aria-describedby=${described('timeZone')}>`,
        'An IANA id such as Europe/Berlin.')}
      <div class="field check"><input type="checkbox" id="schedule-enabled" name="schedule-enabled"
          .checked=${e.enabled}><label for="schedule-enabled">Enabled</label></div>
      <p class="error" role="alert">${this.errors.form || ''}</p>
      <div class="actions"><button type="submit" id="schedule-save">Save schedule</button>
        <button type="button" @click=${() => { this.editing = null; }}>Cancel</button></div>
    </form>`;
  }

  render() {
    const change = canChange(this.session);
    const target = (s) => s.groupPath ? `${s.groupPath}${s.includeSubgroups ? ' and sub-groups' : ''}`
      : `${(s.machineIds || []).length} machine(s)`;
    return html`<section class="schedules" aria-labelledby="schedules-title">
      <div class="toolbar"><h3 id="schedules-title">Schedules</h3>
        ${change ? html`<button type="button" id="new-schedule" @click=${() => this.create()}>New schedule</button>`
          : nothing}</div>
      <p class="message" id="schedules-message" role="status">${this.message}</p>
      ${this.editing ? this.renderForm() : nothing}
      <table class="schedule-list" id="schedule-list" aria-labelledby="schedules-title">
        <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Scenario</th>
          <th scope="col">Runs on</th><th scope="col">When</th><th scope="col">Next run</th>
          <th scope="col">Last outcome</th><th scope="col">Enabled</th>
          ${change ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
        <tbody>${this.schedules.map((s) => html`<tr data-schedule=${s.id}>
          <td>${s.name}</td><td>${s.kind}</td><td>${s.scenarioName || ''}</td><td>${target(s)}</td>
          <td>${s.cron ? `cron ${s.cron}` : s.at} (${s.timeZone})</td><td>${s.nextFireAt || ''}</td>
          <td>${s.lastOutcome || ''}</td><td>${s.enabled ? 'yes' : 'no'}</td>
          ${change ? html`<td class="actions">
            ${s.kind === 'EXECUTE' || s.kind === 'GROUP_EXECUTE' ? html`<button type="button"
                aria-label="Edit ${s.name}" @click=${() => this.edit(s)}>Edit</button>` : nothing}
            <button type="button" aria-label="${s.enabled ? 'Disable' : 'Enable'} ${s.name}"
                @click=${() => this.act(s.enabled ? 'Disable' : 'Enable', () => api('POST',
                  `schedules/${s.id}/${s.enabled ? 'disable' : 'enable'}`))}>${s.enabled ? 'Disable' : 'Enable'}</button>
            <button type="button" aria-label="Delete ${s.name}" @click=${() => confirm(`Delete schedule ${s.name}?`)
                && this.act('Delete', () => api('DELETE', `schedules/${s.id}`))}>Delete</button></td>` : nothing}
        </tr>`)}</tbody>
      </table>
      ${this.schedules.length ? nothing : html`<p class="empty">No schedule.</p>`}
    </section>`;
  }
}

customElements.define('dpm-schedules', DpmSchedules);
