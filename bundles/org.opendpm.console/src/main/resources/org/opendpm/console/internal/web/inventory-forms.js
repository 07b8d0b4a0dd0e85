import {LitElement, html, nothing} from 'lit';
import {api, apiText, fieldPath, isAdmin, ApiError} from './api.js';

/** Tells the Operations view that the inventory changed (it reads its lists again) and what to say. */
function changed(element, message) {
  element.dispatchEvent(new CustomEvent('changed', {detail: message, bubbles: true}));
}

function closed(element) {
  element.dispatchEvent(new CustomEvent('closed', {bubbles: true}));
}

/** A labelled input with its help and its error, described by both. */
function field(id, label, errors, control, help) {
  return html`<div class="field"><label for=${id}>${label}</label>${control}
    ${help ? html`<span class="help" id="${id}-help">${help}</span>` : nothing}
    <span class="error" id="${id}-error">${errors[id] || ''}</span></div>`;
}

/** The machine's fields: the form's id, label, and the server's field names (MachineInputDto) that land there. */
const MACHINE_FIELDS = [
  {id: 'name', label: 'Name', server: ['name']},
  {id: 'mac', label: 'MAC addresses', server: ['macs', 'primaryMac'],
    help: 'Separated by commas; the first is the primary NIC.'},
  {id: 'uuid', label: 'UUID', server: ['uuid']},
  {id: 'ip', label: 'IP address', server: ['ip']},
  {id: 'model', label: 'Model', server: ['model']},
];

/**
 * A machine's properties (INV-10), new (POST /machines into the group) or existing (PUT /machines/{id}): name, NICs,
 * UUID, IP, model and the Deploy-OS, which "Use Default Value" leaves to the server (by model, else its default).
 */
class DpmMachineForm extends LitElement {
  static properties = {group: {}, path: {}, machine: {}, errors: {state: true}, useDefault: {state: true},
    deployOsChoices: {state: true}};

  constructor() {
    super();
    this.errors = {};
    this.useDefault = true;
    this.deployOsChoices = [];
  }

  createRenderRoot() {
    return this;
  }

  async connectedCallback() {
    super.connectedCallback();
    this.useDefault = !this.machine || this.machine.useDefaultDeployOs;
    try {
      const models = await api('GET', 'deployos/models');
      this.deployOsChoices = [...new Set(models.map((m) => m.deployOs))].sort();
    } catch (e) {
      // The choices are a convenience; any Deploy-OS id can be typed.
    }
  }

  value(id) {
    const m = this.machine;
    if (!m) return '';
    if (id === 'mac') {
      return [m.primaryMac, ...m.macs.map((x) => x.replace('(*)', '')).filter((x) => x !== m.primaryMac)].join(', ');
    }
    return m[id] || '';
  }

  async save(event) {
    event.preventDefault();
    const f = event.target.elements;
    const value = (id) => f[`machine-${id}`].value.trim() || undefined;
    const macs = (value('mac') || '').split(',').map((x) => x.trim()).filter((x) => x);
    const body = {name: value('name'), macs, primaryMac: macs[0], uuid: value('uuid'), ip: value('ip'),
      model: value('model'), deployOs: this.useDefault ? undefined : value('deployOs')};
    this.errors = {};
    try {
      let m;
      if (this.machine) {
        m = await api('PUT', `machines/${this.machine.id}`, body);
      } else {
        m = await api('POST', 'machines', {...body, groupId: this.group});
      }
      changed(this, `Machine ${m.name} ${this.machine ? 'saved' : `registered in ${m.groupPath}`}.`);
    } catch (e) {
      const name = e instanceof ApiError ? fieldPath(e.problem)[0] : undefined;
      const target = name === 'deployOs' ? {id: 'deployOs'} : MACHINE_FIELDS.find((x) => x.server.includes(name));
      const id = target ? `machine-${target.id}` : 'machine-form-error';
      this.errors = {[id]: e.message};
      await this.updateComplete;
      if (target) this.querySelector(`#${id}`)?.focus();
    }
  }

  render() {
    const e = this.errors;
    const m = this.machine;
    return html`<form class="machine-form" id="machine-form" @submit=${(ev) => this.save(ev)}
        aria-labelledby="machine-form-title" novalidate>
      <h3 id="machine-form-title">${m ? `Properties of ${m.name}` : `New machine in ${this.path}`}</h3>
      ${MACHINE_FIELDS.map((x) => field(`machine-${x.id}`, x.label, e, html`<input id="machine-${x.id}"
          name="machine-${x.id}" .value=${this.value(x.id)} aria-invalid=${!!e[`machine-${x.id}`]}
          aria-describedby="machine-${x.id}-error machine-${x.id}-help">`, x.help))}
      <fieldset class="deploy-os"><legend>Deploy-OS</legend>
        <div class="field check"><input type="checkbox" id="machine-deployOs-default" .checked=${this.useDefault}
            @change=${(ev) => { this.useDefault = ev.target.checked; }}>
          <label for="machine-deployOs-default">Use Default Value</label></div>
        ${field('machine-deployOs', 'Deploy-OS', e, html`<input id="machine-deployOs" name="machine-deployOs"
            list="deploy-os-choices" ?disabled=${this.useDefault} .value=${m && m.deployOs ? m.deployOs : ''}
            aria-invalid=${!!e['machine-deployOs']} aria-describedby="machine-deployOs-error machine-deployOs-help">
            <datalist id="deploy-os-choices">${this.deployOsChoices.map((d) => html`<option value=${d}>`)}
            </datalist>`, 'With Use Default Value the server chooses by the machine\'s model, else its default.')}
      </fieldset>
      <p class="error" role="alert" id="machine-form-error">${e['machine-form-error'] || ''}</p>
      <div class="actions">
        <button type="submit" id="machine-save">${m ? 'Save' : 'Register'}</button>
        <button type="button" @click=${() => closed(this)}>Cancel</button>
      </div>
    </form>`;
  }
}

/**
 * A machine group's properties (INV-1, INV-10): a new group under the chosen one (POST /groups) or the chosen one
 * renamed (PATCH /groups/{id}), with its network setting: the server's subnet, or a different subnet with its
 * default gateway and subnet mask.
 */
class DpmGroupForm extends LitElement {
  static properties = {group: {}, creating: {}, errors: {state: true}, same: {state: true}};

  constructor() {
    super();
    this.errors = {};
    this.same = true;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.same = this.creating || !this.group || this.group.network.sameSubnet;
  }

  async save(event) {
    event.preventDefault();
    const f = event.target.elements;
    const network = this.same ? {sameSubnet: true} : {sameSubnet: false,
      defaultGateway: f['group-gateway'].value.trim() || undefined,
      subnetMask: f['group-mask'].value.trim() || undefined};
    const name = f['group-name'].value.trim();
    this.errors = {};
    try {
      let g;
      if (this.creating) {
        const parent = this.group ? this.group.path : '';
        g = await api('POST', 'groups', {path: `${parent}/${name}`, network});
      } else {
        g = await api('PATCH', `groups/${this.group.id}`, {name: name === this.group.name ? undefined : name,
          network});
      }
      changed(this, `Group ${g.path} saved.`);
    } catch (e) {
      const path = e instanceof ApiError ? fieldPath(e.problem) : [];
      const id = {path: 'group-name', name: 'group-name', defaultGateway: 'group-gateway',
        subnetMask: 'group-mask'}[path[path.length - 1]] || 'group-form-error';
      this.errors = {[id]: e.message};
      await this.updateComplete;
      this.querySelector(`#${id}`)?.focus();
    }
  }

  render() {
    const e = this.errors;
    const g = this.group;
    const n = !this.creating && g ? g.network : {};
    return html`<form class="group-form" id="group-form" @submit=${(ev) => this.save(ev)} novalidate
        aria-labelledby="group-form-title">
      <h3 id="group-form-title">${this.creating ? `New group${g ? ` in ${g.path}` : ''}` : `Properties of ${g.path}`}
      </h3>
      ${field('group-name', 'Name', e, html`<input id="group-name" name="group-name"
          .value=${this.creating ? '' : g.name} aria-invalid=${!!e['group-name']} aria-describedby="group-name-error">`)}
      <fieldset><legend>Network setting</legend>
        <div class="field check"><input type="radio" name="group-network" id="group-same" .checked=${this.same}
            @change=${() => { this.same = true; }}><label for="group-same">The server's subnet</label></div>
        <div class="field check"><input type="radio" name="group-network" id="group-different"
            .checked=${!this.same} @change=${() => { this.same = false; }}>
          <label for="group-different">A different subnet</label></div>
        ${field('group-gateway', 'Default gateway', e, html`<input id="group-gateway" name="group-gateway"
            ?disabled=${this.same} .value=${n.defaultGateway || ''} aria-invalid=${!!e['group-gateway']}
            aria-describedby="group-gateway-error">`)}
        ${field('group-mask', 'Subnet mask', e, html`<input id="group-mask" name="group-mask" ?disabled=${this.same}
            .value=${n.subnetMask || ''} aria-invalid=${!!e['group-mask']} aria-describedby="group-mask-error">`)}
      </fieldset>
      <p class="error" role="alert" id="group-form-error">${e['group-form-error'] || ''}</p>
      <div class="actions"><button type="submit" id="group-save">Save group</button>
        <button type="button" @click=${() => closed(this)}>Cancel</button></div>
    </form>`;
  }
}

/** The bad lines of a refused file, as the server reports them: line, field and message each. */
function lineErrors(id, error) {
  const rows = error && error.problem && error.problem.errors ? error.problem.errors : [];
  if (!rows.length) return nothing;
  return html`<table class="line-errors" id=${id} aria-label="Errors by line">
    <thead><tr><th scope="col">Line</th><th scope="col">Field</th><th scope="col">Error</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr data-line=${r.line}><td>${r.line}</td><td>${r.field || ''}</td>
      <td>${r.message}</td></tr>`)}</tbody></table>`;
}

/**
 * CSV import of machines (INV-9): the file's rows name each machine's group; the server imports all of them or, if
 * any line is bad, none, and lists every bad line with its field.
 */
class DpmCsvImport extends LitElement {
  static properties = {error: {state: true}, busy: {state: true}};

  createRenderRoot() {
    return this;
  }

  async upload(event) {
    event.preventDefault();
    const file = event.target.elements['csv-file'].files[0];
    this.error = null;
    if (!file) {
      this.error = {message: 'Choose a CSV file.', problem: {}};
      return;
    }
    this.busy = true;
    try {
      const r = await api('POST', 'machines/import', await file.text(), 'text/csv');
      changed(this, `Imported ${r.machines} machine(s) from ${file.name}; ${r.groupsCreated} group(s) created.`);
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`<form class="csv-import" id="csv-import" @submit=${(e) => this.upload(e)}
        aria-labelledby="csv-title">
      <h3 id="csv-title">Import machines from CSV</h3>
      <p class="help" id="csv-help">Header <code>group_path,name,macs,uuid,ip,model,deploy_os</code>; MACs separated
        by <code>|</code>, the primary marked <code>(*)</code>. All rows are imported, or none if one is bad.
        <a href="/opendpm/api/v1/machines/export" download="machines.csv">Export the machines</a> in this format.</p>
      <label for="csv-file">CSV file</label>
      <input type="file" id="csv-file" name="csv-file" accept=".csv,text/csv" aria-describedby="csv-help csv-error">
      <p class="error" role="alert" id="csv-error">${this.error ? this.error.message : ''}</p>
      ${lineErrors('csv-errors', this.error)}
      <div class="actions"><button type="submit" id="csv-upload" ?disabled=${this.busy}>Import</button>
        <button type="button" @click=${() => closed(this)}>Close</button></div>
    </form>`;
  }
}

const RULE_FILES = [
  {file: 'GroupAsName.ini', label: 'GroupAsName.ini: registration by machine name'},
  {file: 'GroupAsIp.ini', label: 'GroupAsIp.ini: registration by IP address'},
  {file: 'forceskip.ini', label: 'forceskip.ini: what network boot does with a new machine'},
];

/**
 * The automatic registration rule files (INV-5, INV-7, INV-8) as the server keeps them (GET/PUT /rules/{file}): each
 * shown, replaced by an uploaded file or by the edited text; a bad line refuses the whole file and is listed.
 */
class DpmRuleFiles extends LitElement {
  static properties = {session: {}, texts: {state: true}, errors: {state: true}, saved: {state: true}};

  constructor() {
    super();
    this.texts = {};
    this.errors = {};
    this.saved = {};
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    RULE_FILES.forEach(({file}) => this.read(file));
  }

  async read(file) {
    try {
      const text = await apiText(`rules/${file}`);
      this.texts = {...this.texts, [file]: text};
    } catch (e) {
      this.errors = {...this.errors, [file]: e};
    }
  }

  async load(file, input) {
    const chosen = input.files[0];
    if (chosen) this.texts = {...this.texts, [file]: await chosen.text()};
  }

  async save(file) {
    const text = this.querySelector(`textarea[data-file="${file}"]`).value;
    this.errors = {...this.errors, [file]: null};
    try {
      const r = await api('PUT', `rules/${file}`, text, 'text/plain');
      this.texts = {...this.texts, [file]: text};
      this.saved = {...this.saved, [file]: `Saved: ${r.rules} rule(s)${r.warnings.length
        ? `; ${r.warnings.map((w) => `line ${w.line}: ${w.message}`).join('; ')}` : ''}.`};
    } catch (e) {
      this.saved = {...this.saved, [file]: ''};
      this.errors = {...this.errors, [file]: e};
    }
  }

  render() {
    const admin = isAdmin(this.session);
    return html`<section class="rule-files" id="rule-files" aria-labelledby="rules-title">
      <div class="toolbar"><h3 id="rules-title">Automatic registration rules</h3>
        <button type="button" @click=${() => closed(this)}>Close</button></div>
      ${RULE_FILES.map(({file, label}) => {
        const id = file.replace(/\W/g, '-');
        const text = this.texts[file];
        return html`<div class="rule-file" data-rule-file=${file}>
          <label for="rule-${id}">${label}</label>
          <textarea id="rule-${id}" data-file=${file} rows="6" ?readonly=${!admin} aria-describedby="rule-${id}-error"
              .value=${text ?? ''} placeholder=${text === null ? 'There is no such file.' : ''}></textarea>
          ${admin ? html`<div class="actions">
            <label for="rule-${id}-upload">Load a file</label>
            <input type="file" id="rule-${id}-upload" accept=".ini,text/plain"
                @change=${(e) => this.load(file, e.target)}>
            <button type="button" id="rule-${id}-save" @click=${() => this.save(file)}>Save ${file}</button></div>`
            : nothing}
          <p class="message" role="status">${this.saved[file] || ''}</p>
          <p class="error" role="alert" id="rule-${id}-error">${this.errors[file] ? this.errors[file].message : ''}</p>
          ${lineErrors(`rule-${id}-errors`, this.errors[file])}
        </div>`;
      })}
    </section>`;
  }
}

customElements.define('dpm-machine-form', DpmMachineForm);
customElements.define('dpm-group-form', DpmGroupForm);
customElements.define('dpm-csv-import', DpmCsvImport);
customElements.define('dpm-rule-files', DpmRuleFiles);
