import {html, nothing} from 'lit';

/*
 * A scenario tab drawn from its type's settings schema (JSON Schema 2020-12 as GET /scenario-types gives it), so a
 * plugin installed later gets its tab without a console change. Drawn: enum (a choice), boolean (a check box),
 * integer and number (with minimum and maximum), string (with maxLength and pattern), arrays of those (a comma
 * separated list); anything else is edited as JSON. The limits are hints to the browser only: the form is sent as
 * typed and the plugin's own validation on the server decides, its errors placed on the fields by name.
 */

/** The id of a setting's input, from the tab's key and the setting's name. */
export function fieldId(tab, name) {
  return `tab-${tab}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function kind(spec) {
  if (Array.isArray(spec.enum)) return 'enum';
  if (spec.type === 'array' && spec.items && ['integer', 'number', 'string'].includes(spec.items.type)) return 'list';
  if (['boolean', 'integer', 'number', 'string'].includes(spec.type)) return spec.type;
  return 'json';
}

/** The settings' shown text for each field, from stored settings or the schema's defaults. */
export function initialValues(schema, settings) {
  const values = {};
  for (const [name, spec] of Object.entries((schema && schema.properties) || {})) {
    const v = settings && name in settings ? settings[name] : spec.default;
    const k = kind(spec);
    if (v === undefined || v === null) values[name] = k === 'boolean' ? false : '';
    else if (k === 'boolean') values[name] = !!v;
    else if (k === 'list') values[name] = Array.isArray(v) ? v.join(', ') : String(v);
    else if (k === 'json') values[name] = JSON.stringify(v);
    else values[name] = String(v);
  }
  return values;
}

function number(text) {
  // A text that is not a number goes to the server as it is, so the plugin names the field and says why.
  return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
}

/** The settings object to send: empty optional fields left out, numbers as numbers where they parse. */
export function settingsOf(schema, values) {
  const out = {};
  const required = new Set((schema && schema.required) || []);
  for (const [name, spec] of Object.entries((schema && schema.properties) || {})) {
    const v = values[name];
    const k = kind(spec);
    if (k === 'boolean') {
      out[name] = !!v;
      continue;
    }
    if ((v === undefined || String(v).trim() === '') && !required.has(name)) continue;
    if (k === 'integer' || k === 'number') out[name] = number(String(v ?? ''));
    else if (k === 'list') {
      out[name] = String(v).split(',').map((x) => x.trim()).filter((x) => x !== '')
          .map((x) => (spec.items.type === 'string' ? x : number(x)));
    } else if (k === 'json') {
      try {
        out[name] = JSON.parse(v);
      } catch (e) {
        out[name] = v;
      }
    } else out[name] = v ?? '';
  }
  return out;
}

function label(name, spec) {
  return spec.title || name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

/**
 * The fields of one tab. {@code values} are the shown texts, {@code errors} the messages by setting name,
 * {@code change(name, value)} is called on every edit.
 */
export function renderFields(tab, schema, values, errors, change, disabled) {
  const required = new Set(schema.required || []);
  const entries = Object.entries(schema.properties || {});
  if (!entries.length) return html`<p class="hint">This tab has no settings.</p>`;
  return entries.map(([name, spec]) => {
    const id = fieldId(tab, name);
    const k = kind(spec);
    const error = errors[name];
    const hints = [];
    if (spec.minimum !== undefined || spec.maximum !== undefined) {
      hints.push(`${spec.minimum ?? '…'} to ${spec.maximum ?? '…'}`);
    }
    if (spec.maxLength !== undefined) hints.push(`at most ${spec.maxLength} characters`);
    if (k === 'list') hints.push('comma-separated');
    const describedBy = `${id}-help ${id}-error`;
    let input;
    if (k === 'enum') {
      input = html`<select id=${id} ?disabled=${disabled} aria-invalid=${!!error} aria-describedby=${describedBy}
          @change=${(e) => change(name, e.target.value)}>
        ${required.has(name) || spec.default !== undefined ? nothing : html`<option value="">(none)</option>`}
        ${spec.enum.map((v) => html`<option value=${v} ?selected=${String(v) === values[name]}>${v}</option>`)}
      </select>`;
    } else if (k === 'boolean') {
      input = html`<input type="checkbox" id=${id} ?disabled=${disabled} .checked=${!!values[name]}
          aria-invalid=${!!error} aria-describedby=${describedBy} @change=${(e) => change(name, e.target.checked)}>`;
    } else {
      const numeric = k === 'integer' || k === 'number';
      input = html`<input id=${id} type=${numeric ? 'number' : 'text'} ?disabled=${disabled} .value=${values[name] ?? ''}
          min=${numeric && spec.minimum !== undefined ? spec.minimum : nothing}
          max=${numeric && spec.maximum !== undefined ? spec.maximum : nothing}
          step=${k === 'integer' ? 1 : nothing}
          maxlength=${spec.maxLength !== undefined ? spec.maxLength : nothing}
          ?required=${required.has(name)} aria-invalid=${!!error} aria-describedby=${describedBy}
          @input=${(e) => change(name, e.target.value)}>`;
    }
    return html`<div class="field ${k === 'boolean' ? 'check' : ''}">
      <label for=${id}>${label(name, spec)}${required.has(name) ? html` <span aria-hidden="true">*</span>` : nothing}</label>
      ${input}
      <span class="help" id="${id}-help">${[spec.description, hints.join(', ')].filter(Boolean).join(' — ')}</span>
      <span class="error" id="${id}-error">${error || ''}</span>
    </div>`;
  });
}
