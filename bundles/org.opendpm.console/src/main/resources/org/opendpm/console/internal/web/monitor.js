import {LitElement, html, nothing} from 'lit';
import {repeat} from 'lit/directives/repeat.js';
import {api, bytes, duration, canChange} from './api.js';
import {watchExecutions} from './events.js';

const KEEP_FINISHED = 50;

/**
 * Monitor: the Scenario Execution List kept current by the server's event stream (no polling), with each execution's
 * step progress, rate and time left; executions that finish move to the results below.
 */
class DpmMonitor extends LitElement {
  static properties = {session: {}, finished: {state: true}, state: {state: true}, message: {state: true}};

  constructor() {
    super();
    this.active = new Map();
    this.finished = [];
    this.state = 'connecting';
    this.message = '';
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.unwatch = watchExecutions(({active, finished, state}) => {
      this.active = active;
      this.state = state;
      if (finished.length) {
        const ids = new Set(finished.map((x) => x.id));
        this.finished = [...[...finished].reverse(), ...this.finished.filter((x) => !ids.has(x.id))]
            .slice(0, KEEP_FINISHED);
      }
      this.requestUpdate();
    });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unwatch();
  }

  async cancel(id) {
    try {
      await api('POST', `executions/${id}/cancel`);
    } catch (e) {
      this.message = `Cancel refused: ${e.message}`;
    }
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
    const rows = [...this.active.values()].sort((a, b) => a.id - b.id);
    return html`<section class="monitor">
      <h2>Scenario Execution List <span class="live" id="stream-state">${this.state}</span></h2>
      <p class="message" role="status">${this.message}</p>
      <table class="executions" id="executions" aria-label="Running and waiting executions">
        <thead><tr><th scope="col">Machine</th><th scope="col">Scenario</th><th scope="col">State</th>
          <th scope="col">Step</th><th scope="col">Progress</th><th scope="col">Started by</th>
          ${change ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
        <tbody>${repeat(rows, (e) => e.id, (e) => html`<tr data-execution=${e.id}>
          <td>${e.machineName}</td><td>${e.scenarioName}</td><td class="state">${e.state}</td>
          <td class="step">${e.steps ? `${e.step} of ${e.steps}: ${e.stepName}` : ''}</td>
          <td class="progress">${this.progress(e)}</td><td>${e.requestedBy}</td>
          ${change ? html`<td><button type="button" class="cancel" @click=${() => this.cancel(e.id)}>
              Cancel</button></td>` : nothing}</tr>`)}
        </tbody>
      </table>
      ${rows.length ? nothing : html`<p class="empty">No scenario is running or waiting.</p>`}
      <h2>Finished since this page opened</h2>
      <table class="executions" id="results" aria-label="Finished executions">
        <thead><tr><th scope="col">Machine</th><th scope="col">Scenario</th><th scope="col">Result</th>
          <th scope="col">Ended</th><th scope="col">Message</th></tr></thead>
        <tbody>${this.finished.map((e) => html`<tr data-result=${e.id}>
          <td>${e.machineName}</td><td>${e.scenarioName}</td><td class="state">${e.state}</td>
          <td>${e.endedAt || ''}</td><td>${e.message || ''}</td></tr>`)}</tbody>
      </table>
    </section>`;
  }
}

customElements.define('dpm-monitor', DpmMonitor);
