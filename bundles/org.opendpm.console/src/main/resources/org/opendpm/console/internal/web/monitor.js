import {LitElement, html, nothing} from 'lit';
import {repeat} from 'lit/directives/repeat.js';
import {api, bytes, duration, canChange} from './api.js';
import {watchExecutions} from './events.js';
import './results.js';

/** Row height in pixels (fixed, so a row's place follows from its index) and rows drawn beyond the view. */
const ROW = 32;
const OVERSCAN = 10;

/**
 * Monitor: the Scenario Execution List kept current by the server's event stream (no polling), with each execution's
 * step progress, rate and time left. Only the rows in view and a few around them are in the page, so a thousand
 * executions reporting progress stay smooth. Below it the Result List and the File Operation Result List.
 */
class DpmMonitor extends LitElement {
  static properties = {session: {}, state: {state: true}, message: {state: true}, first: {state: true}};

  constructor() {
    super();
    this.active = new Map();
    this.state = 'connecting';
    this.message = '';
    this.first = 0;
    this.rows = 12;
    this.frame = 0;
    this.finishedCount = 0;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.unwatch = watchExecutions(({active, finished, state}) => {
      this.active = active;
      this.state = state;
      // The Result List reads the server again when executions end, not on every progress report.
      if (finished.length) this.finishedCount += finished.length;
      this.requestUpdate();
    });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unwatch();
    cancelAnimationFrame(this.frame);
  }

  async cancel(id) {
    try {
      await api('POST', `executions/${id}/cancel`);
    } catch (e) {
      this.message = `Cancel refused: ${e.message}`;
    }
  }

  scrolled(event) {
    const scroller = event.currentTarget;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.first = Math.floor(scroller.scrollTop / ROW);
      this.rows = Math.ceil(scroller.clientHeight / ROW);
    });
  }

  progress(e) {
    const p = e.stepProgress;
    const percent = p && p.percent !== null && p.percent !== undefined ? p.percent : e.progress;
    if ((percent === null || percent === undefined) && e.steps) {
      // A step that reports no progress of its own: the plan's steps done so far.
      return html`<progress max=${e.steps} value=${Math.max(0, e.step - 1)}
          aria-label="Steps of ${e.machineName} done"></progress>
          <span class="percent">${Math.max(0, e.step - 1)} of ${e.steps} steps done</span>`;
    }
    return html`
      ${percent !== null && percent !== undefined
        ? html`<progress max="100" value=${percent} aria-label="Progress of ${e.machineName}"></progress>
            <span class="percent">${percent} %</span>` : nothing}
      ${p && p.unit === 'bytes' ? html`<span class="bytes">${bytes(p.done)} of ${bytes(p.total)}</span>` : nothing}
      ${p && p.rate >= 0 ? html`<span class="rate">${p.unit === 'bytes' ? bytes(p.rate) : p.rate}/s</span>` : nothing}
      ${p && p.etaSeconds >= 0 ? html`<span class="eta">${duration(p.etaSeconds)} left</span>` : nothing}`;
  }

  render() {
    const change = canChange(this.session);
    const all = [...this.active.values()].sort((a, b) => a.id - b.id);
    const start = Math.min(all.length, Math.max(0, this.first - OVERSCAN));
    const end = Math.min(all.length, this.first + this.rows + OVERSCAN);
    const rows = all.slice(start, end);
    const span = change ? 7 : 6;
    return html`<section class="monitor">
      <h2>Scenario Execution List <span class="live" id="stream-state">${this.state}</span></h2>
      <p class="message" role="status">${this.message}</p>
      <p class="range" id="execution-range">${all.length} execution(s) running or waiting${all.length
        ? `, rows ${start + 1}–${end} drawn` : ''}</p>
      <div class="vlist" tabindex="0" role="region" aria-label="Running and waiting executions (scrolls)"
          @scroll=${(e) => this.scrolled(e)}>
        <table class="executions" id="executions" aria-label="Running and waiting executions"
            aria-rowcount=${all.length + 1}>
          <thead><tr aria-rowindex="1"><th scope="col">Machine</th><th scope="col">Scenario</th>
            <th scope="col">State</th><th scope="col">Step</th><th scope="col">Progress</th>
            <th scope="col">Started by</th>
            ${change ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
          <tbody>
            ${start > 0 ? html`<tr aria-hidden="true" style="height:${start * ROW}px"><td colspan=${span}></td></tr>`
              : nothing}
            ${repeat(rows, (e) => e.id, (e, i) => html`<tr data-execution=${e.id} aria-rowindex=${start + i + 2}>
              <td>${e.machineName}</td><td>${e.scenarioName}</td><td class="state">${e.state}</td>
              <td class="step">${e.steps ? `${e.step} of ${e.steps}: ${e.stepName}` : ''}</td>
              <td class="progress">${this.progress(e)}</td><td>${e.requestedBy}</td>
              ${change ? html`<td><button type="button" class="cancel" aria-label="Cancel on ${e.machineName}"
                  @click=${() => this.cancel(e.id)}>Cancel</button></td>` : nothing}</tr>`)}
            ${end < all.length ? html`<tr aria-hidden="true" style="height:${(all.length - end) * ROW}px">
                <td colspan=${span}></td></tr>` : nothing}
          </tbody>
        </table>
      </div>
      ${all.length ? nothing : html`<p class="empty">No scenario is running or waiting.</p>`}
      <dpm-result-list .finishedCount=${this.finishedCount}></dpm-result-list>
      <dpm-file-operations></dpm-file-operations>
    </section>`;
  }
}

customElements.define('dpm-monitor', DpmMonitor);
