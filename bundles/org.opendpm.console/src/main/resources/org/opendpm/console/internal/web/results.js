import {LitElement, html, nothing} from 'lit';
import {api, ApiError} from './api.js';

const PAGE = 50;
const ENDED = ['COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED'];

/** A time of the server (ISO-8601) in the browser's time zone. */
export function localTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** A datetime-local input's value as an ISO instant (the browser's zone), or undefined. */
function instant(value) {
  return value ? new Date(value).toISOString() : undefined;
}

/**
 * The Scenario Execution Result List (EXE-7): finished executions newest first, filtered and paged by the server
 * (GET /results: group or machine, scenario, end state, end time), read again when executions end.
 */
class DpmResultList extends LitElement {
  static properties = {finishedCount: {}, page: {state: true}, filter: {state: true}, offset: {state: true},
    errors: {state: true}, groups: {state: true}, machines: {state: true}, scenarios: {state: true}};

  constructor() {
    super();
    this.page = null;
    this.filter = {};
    this.offset = 0;
    this.errors = {};
    this.groups = [];
    this.machines = [];
    this.scenarios = [];
    this.timer = 0;
  }

  createRenderRoot() {
    return this;
  }

  async connectedCallback() {
    super.connectedCallback();
    this.read();
    try {
      [this.groups, this.scenarios] = await Promise.all([api('GET', 'groups'), api('GET', 'scenarios')]);
    } catch (e) {
      this.errors = {form: `The filters' choices could not be read: ${e.message}`};
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  updated(changed) {
    // Executions ended: the first page reads again, at most once a second however many ended.
    if (changed.has('finishedCount') && changed.get('finishedCount') !== undefined && this.offset === 0
        && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = 0;
        this.read();
      }, 1000);
    }
  }

  async read() {
    const f = this.filter;
    const params = new URLSearchParams({offset: this.offset, limit: PAGE});
    const put = (key, value) => value && params.set(key, value);
    put('groupId', f.group);
    put('machineId', f.machine);
    put('scenarioId', f.scenario);
    put('state', f.state);
    put('from', instant(f.from));
    put('to', instant(f.to));
    try {
      this.page = await api('GET', `results?${params}`);
      this.errors = {};
    } catch (e) {
      this.errors = e instanceof ApiError && e.problem.field ? {[e.problem.field]: e.problem.detail}
        : {form: `The results could not be read: ${e.message}`};
    }
  }

  async set(key, value) {
    this.filter = {...this.filter, [key]: value};
    if (key === 'group') {
      this.filter.machine = '';
      this.machines = [];
      if (value) {
        try {
          this.machines = (await api('GET', `machines?group=${value}&limit=1000`)).machines;
        } catch (e) {
          this.errors = {form: `The group's machines could not be read: ${e.message}`};
        }
      }
    }
    this.offset = 0;
    this.read();
  }

  go(offset) {
    this.offset = Math.max(0, offset);
    this.read();
  }

  field(key, label, control) {
    const error = this.errors[key === 'group' ? 'groupId' : key === 'machine' ? 'machineId'
      : key === 'scenario' ? 'scenarioId' : key];
    return html`<div class="field"><label for="result-${key}">${label}</label>${control(!!error)}
      <span class="error" id="result-${key}-error">${error || ''}</span></div>`;
  }

  renderFilters() {
    const choice = (key, label, options) => this.field(key, label, (invalid) => html`<select id="result-${key}"
        aria-invalid=${invalid} aria-describedby="result-${key}-error"
        @change=${(e) => this.set(key, e.target.value)}>
        <option value="">(all)</option>
        ${options.map(([value, text]) => html`<option value=${value} ?selected=${String(this.filter[key]) === String(
          value)}>${text}</option>`)}</select>`);
    const time = (key, label) => this.field(key, label, (invalid) => html`<input type="datetime-local"
        id="result-${key}" step="1" aria-invalid=${invalid} aria-describedby="result-${key}-error"
        @change=${(e) => this.set(key, e.target.value)}>`);
    return html`<form class="filters" id="result-filters" aria-label="Result List filters"
        @submit=${(e) => e.preventDefault()}>
      ${choice('group', 'Machine group', this.groups.map((g) => [g.id, g.path]))}
      ${choice('machine', 'Machine', this.machines.map((m) => [m.id, m.name]))}
      ${choice('scenario', 'Scenario', this.scenarios.map((s) => [s.id, `${s.groupPath}/${s.name}`]))}
      ${choice('state', 'Result', ENDED.map((s) => [s, s]))}
      ${time('from', 'Ended from')}${time('to', 'Ended before')}
    </form>`;
  }

  render() {
    const p = this.page;
    const total = p ? p.total : 0;
    return html`<h2 id="result-list-title">Scenario Execution Result List</h2>
      ${this.renderFilters()}
      <p class="error" role="alert">${this.errors.form || ''}</p>
      <table class="executions" id="results" aria-labelledby="result-list-title">
        <thead><tr><th scope="col">Machine</th><th scope="col">Scenario</th><th scope="col">Result</th>
          <th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Message</th></tr></thead>
        <tbody>${(p ? p.results : []).map((e) => html`<tr data-result=${e.id}>
          <td>${e.machineName}</td><td>${e.scenarioName}</td><td class="state">${e.state}</td>
          <td>${localTime(e.startedAt)}</td><td>${localTime(e.endedAt)}</td><td class="message">${e.message || ''}</td>
        </tr>`)}</tbody>
      </table>
      <div class="pager" role="navigation" aria-label="Result List pages">
        <button type="button" id="results-previous" ?disabled=${this.offset === 0}
            @click=${() => this.go(this.offset - PAGE)}>Previous</button>
        <span id="results-range">${p === null ? 'Reading…' : total ? `${this.offset + 1}–${Math.min(total,
          this.offset + PAGE)} of ${total}` : 'No results'}</span>
        <button type="button" id="results-next" ?disabled=${this.offset + PAGE >= total}
            @click=${() => this.go(this.offset + PAGE)}>Next</button>
      </div>`;
  }
}

/** The File Operation Result List (FIL-2), newest first, a page at a time. */
class DpmFileOperations extends LitElement {
  static properties = {operations: {state: true}, offset: {state: true}, error: {state: true}};

  constructor() {
    super();
    this.operations = null;
    this.offset = 0;
    this.error = '';
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
      // One more than shown says whether there is a next page (this list gives no total).
      this.operations = await api('GET', `file-operations?offset=${this.offset}&limit=${PAGE + 1}`);
      this.error = '';
    } catch (e) {
      this.operations = [];
      this.error = e instanceof ApiError && e.status === 503 ? 'File distribution is not running.'
        : `The file operations could not be read: ${e.message}`;
    }
  }

  go(offset) {
    this.offset = Math.max(0, offset);
    this.read();
  }

  render() {
    const shown = (this.operations || []).slice(0, PAGE);
    return html`<h2 id="file-operations-title">File Operation Result List</h2>
      <p class="error" role="alert">${this.error}</p>
      <table class="executions" id="file-operations" aria-labelledby="file-operations-title">
        <thead><tr><th scope="col">Machine</th><th scope="col">Operation</th><th scope="col">File</th>
          <th scope="col">Target</th><th scope="col">Result</th><th scope="col">Started</th><th scope="col">Ended</th>
          <th scope="col">Message</th></tr></thead>
        <tbody>${shown.map((o) => html`<tr data-file-operation=${o.id}>
          <td>${o.machineName}</td><td>${o.kind}</td><td>${o.source}</td><td>${o.target}</td>
          <td class="state">${o.state}</td><td>${localTime(o.startedAt)}</td><td>${localTime(o.endedAt)}</td>
          <td>${o.message || ''}</td></tr>`)}</tbody>
      </table>
      ${this.operations && !shown.length && !this.error ? html`<p class="empty">No file operation yet.</p>` : nothing}
      <div class="pager" role="navigation" aria-label="File operation pages">
        <button type="button" ?disabled=${this.offset === 0} @click=${() => this.go(this.offset - PAGE)}>
          Previous</button>
        <button type="button" ?disabled=${!this.operations || this.operations.length <= PAGE}
            @click=${() => this.go(this.offset + PAGE)}>Next</button>
      </div>`;
  }
}

customElements.define('dpm-result-list', DpmResultList);
customElements.define('dpm-file-operations', DpmFileOperations);
