import {LitElement, html, nothing} from 'lit';
import {repeat} from 'lit/directives/repeat.js';
import {api} from './api.js';
import {watchExecutions, percentOf} from './events.js';

/** Row height in pixels (fixed, so a row's place follows from its index) and machines read per request. */
const ROW = 28;
const BLOCK = 200;
/** Rows drawn beyond the visible ones on each side, so a short scroll shows rows already there. */
const OVERSCAN = 15;
/** Blocks kept in memory at most (8,000 machines); the furthest from the view go first. */
const KEEP_BLOCKS = 40;

/** Columns: the machine's field, the server's sort key for it, the heading. */
const COLUMNS = [
  {field: 'name', sort: 'name', label: 'Name'},
  {field: 'primaryMac', sort: 'mac', label: 'MAC'},
  {field: 'ip', sort: 'ip', label: 'IP'},
  {field: 'model', sort: 'model', label: 'Model'},
  {field: 'statusLabel', sort: 'status', label: 'Status'},
  {field: 'powerState', sort: 'power', label: 'Power'},
];

/**
 * The machines of a group, however many (40,000 in one group is within the limits): only the rows in view and a
 * few around them are in the page, read a block at a time from the server in the server's order (sorted there by
 * any column, so the order holds across blocks), with the assigned scenario and, from the execution event stream,
 * each executing machine's progress.
 */
class DpmMachineList extends LitElement {
  static properties = {session: {}, group: {}, path: {}, query: {}, chosen: {}, reloads: {}, total: {state: true},
    first: {state: true}, sort: {state: true}};

  constructor() {
    super();
    this.blocks = new Map();
    this.total = null;
    this.first = 0;
    this.rows = 30;
    this.sort = {key: 'name', up: true};
    this.generation = 0;
    this.byMachine = new Map();
    this.frame = 0;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.unwatch = watchExecutions(({active}) => {
      const byMachine = new Map();
      for (const e of active.values()) byMachine.set(e.machineId, e);
      this.byMachine = byMachine;
      this.requestUpdate();
    });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unwatch();
    cancelAnimationFrame(this.frame);
  }

  willUpdate(changed) {
    const moved = changed.has('group') || changed.has('query') || changed.has('sort');
    if (moved || changed.has('reloads')) {
      // A new group, filter or order starts at the top with nothing read; a reload after a change keeps the place
      // and shows the rows it has until their new reading arrives.
      this.generation++;
      if (moved) {
        this.blocks = new Map();
        this.total = null;
        this.first = 0;
        const scroller = this.querySelector('.vscroll');
        if (scroller) scroller.scrollTop = 0;
      }
      this.ensure();
    }
  }

  /** Reads the blocks the rows in view need that are not there, or are from before the last reload. */
  ensure() {
    const from = Math.floor(Math.max(0, this.first - OVERSCAN) / BLOCK);
    const to = Math.floor((this.first + this.rows + OVERSCAN) / BLOCK);
    for (const b of [...this.blocks.keys()]) {
      if ((b < from || b > to) && this.blocks.get(b).generation !== this.generation) this.blocks.delete(b);
    }
    for (let b = from; b <= to; b++) {
      const known = this.blocks.get(b);
      const exists = b === 0 || this.total === null || b * BLOCK < this.total;
      if (exists && (!known || known.generation !== this.generation)) this.read(b, known);
    }
  }

  async read(block, known) {
    const generation = this.generation;
    this.blocks.set(block, {generation, machines: known ? known.machines : null});
    const sort = (this.sort.up ? '' : '-') + this.sort.key;
    const q = this.query ? `&q=${encodeURIComponent(this.query)}` : '';
    try {
      const page = await api('GET', `machines?group=${this.group}&offset=${block * BLOCK}&limit=${BLOCK}`
          + `&sort=${sort}${q}`);
      if (generation !== this.generation) return;
      this.blocks.set(block, {generation, machines: page.machines});
      const first = this.total === null;
      this.total = page.total;
      this.forget(block);
      this.requestUpdate();
      if (first) this.ensure();
    } catch (e) {
      if (generation !== this.generation) return;
      this.blocks.delete(block);
      this.dispatchEvent(new CustomEvent('failed', {detail: e.message}));
    }
  }

  forget(near) {
    if (this.blocks.size <= KEEP_BLOCKS) return;
    const far = [...this.blocks.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    far.slice(0, this.blocks.size - KEEP_BLOCKS).forEach((b) => this.blocks.delete(b));
  }

  scrolled(event) {
    const scroller = event.currentTarget;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.first = Math.floor(scroller.scrollTop / ROW);
      this.rows = Math.ceil(scroller.clientHeight / ROW);
      this.ensure();
    });
  }

  sortBy(key) {
    this.sort = {key, up: this.sort.key === key ? !this.sort.up : true};
  }

  toggle(id, on) {
    this.dispatchEvent(new CustomEvent('toggle', {detail: {id, on}}));
  }

  progress(m) {
    const e = this.byMachine.get(m.id);
    if (!e) return nothing;
    const percent = percentOf(e);
    return html`${percent === null ? nothing : html`<progress max="100" value=${percent}
        aria-label="Progress of ${m.name}"></progress> ${percent} %`} <span class="state">${e.state}</span>`;
  }

  row(i, m) {
    if (!m) {
      return html`<tr class="loading-row" aria-rowindex=${i + 2}><td></td><td colspan=${COLUMNS.length + 2}>…</td></tr>`;
    }
    return html`<tr data-machine=${m.id} aria-rowindex=${i + 2}>
      <td><input type="checkbox" aria-label="Select ${m.name}" .checked=${this.chosen.has(m.id)}
          @change=${(e) => this.toggle(m.id, e.target.checked)}></td>
      <td>${m.name}</td><td>${m.primaryMac}</td><td>${m.ip || ''}</td><td>${m.model || ''}</td>
      <td>${m.statusLabel || 'Idle'}</td><td>${m.powerState || ''}</td>
      <td class="assigned">${m.assignedScenario || ''}</td><td class="machine-progress">${this.progress(m)}</td>
    </tr>`;
  }

  render() {
    const total = this.total ?? 0;
    const start = Math.min(total, Math.max(0, this.first - OVERSCAN));
    const end = Math.min(total, this.first + this.rows + OVERSCAN);
    const indexes = [];
    for (let i = start; i < end; i++) indexes.push(i);
    const machineAt = (i) => {
      const block = this.blocks.get(Math.floor(i / BLOCK));
      return block && block.machines ? block.machines[i % BLOCK] : undefined;
    };
    const head = (c) => html`<th scope="col" aria-sort=${this.sort.key === c.sort
        ? (this.sort.up ? 'ascending' : 'descending') : 'none'}>
        <button type="button" class="sort" data-sort=${c.sort} @click=${() => this.sortBy(c.sort)}>${c.label}</button>
      </th>`;
    const span = COLUMNS.length + 3;
    return html`
      <p class="range" id="machine-range">${this.total === null ? 'Reading…' : `${total} machine(s)${total
        ? `, rows ${start + 1}–${end} drawn` : ''}`}</p>
      <div class="vscroll" tabindex="0" role="region" aria-label="Machines of ${this.path} (scrolls)"
          @scroll=${(e) => this.scrolled(e)}>
        <table class="machines" aria-label="Machines of ${this.path}" aria-rowcount=${total + 1}>
          <thead><tr aria-rowindex="1">
            <th scope="col"><span class="visually-hidden">Selected</span></th>${COLUMNS.map(head)}
            <th scope="col">Scenario</th><th scope="col">Progress</th>
          </tr></thead>
          <tbody>
            ${start > 0 ? html`<tr aria-hidden="true" style="height:${start * ROW}px"><td colspan=${span}></td></tr>`
              : nothing}
            ${repeat(indexes, (i) => machineAt(i)?.id ?? `row-${i}`, (i) => this.row(i, machineAt(i)))}
            ${end < total ? html`<tr aria-hidden="true" style="height:${(total - end) * ROW}px">
                <td colspan=${span}></td></tr>` : nothing}
          </tbody>
        </table>
      </div>`;
  }
}

customElements.define('dpm-machine-list', DpmMachineList);
