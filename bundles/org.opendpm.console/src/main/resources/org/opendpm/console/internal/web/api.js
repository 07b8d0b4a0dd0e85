// Every call of the console goes through the REST API; the session cookie is sent by the browser, and every
// change carries the session's CSRF token.
const BASE = '/opendpm/api/v1/';
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

/** An answer other than 2xx: the status, the problem body (status, title, detail, field) and Retry-After. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }
}

/**
 * Calls the REST API: {@code body} is sent as JSON, or as it is with {@code contentType} (a CSV or rule file's
 * text); resolves with the answer's JSON (or its text when it is not JSON) and rejects with an {@link ApiError}.
 */
export async function api(method, path, body, contentType) {
  // Tells the server this is a page's script: a 401 then comes without the browser's own sign-in dialog.
  const headers = {'X-Requested-With': 'opendpm-console', Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(BASE + path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : contentType ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = {detail: text};
    }
  }
  if (response.status === 401 && path !== 'session') {
    window.dispatchEvent(new CustomEvent('dpm-signed-out'));
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
  return data;
}

/** A plain-text resource (a rule file): its text, or null when the server has none (404). */
export async function apiText(path) {
  const response = await fetch(BASE + path, {headers: {'X-Requested-With': 'opendpm-console', Accept: 'text/plain'},
    credentials: 'same-origin'});
  if (response.status === 404) return null;
  const text = await response.text();
  if (response.status === 401) window.dispatchEvent(new CustomEvent('dpm-signed-out'));
  if (!response.ok) {
    let problem;
    try {
      problem = JSON.parse(text);
    } catch (e) {
      problem = {detail: text};
    }
    throw new ApiError(response.status, problem, response.headers.get('Retry-After'));
  }
  return text;
}

export function bytes(n) {
  if (n === null || n === undefined || n < 0) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || seconds < 0) return '';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** Whether the signed-in user may change things (the server decides; this only hides what it would refuse). */
export function canChange(session) {
  return !!session && (session.roles.includes('operator') || session.roles.includes('admin'));
}

/** Whether the signed-in user is an admin (users, settings, machines' registration, scenarios' content). */
export function isAdmin(session) {
  return !!session && session.roles.includes('admin');
}

/** Where a problem's field is, split at dots and index brackets: tabs.fake.command, machineIds[2]. */
export function fieldPath(problem) {
  return problem && problem.field ? String(problem.field).split(/[.[\]]+/).filter((x) => x !== '') : [];
}

/**
 * Calls {@code call(item)} for each item, at most {@code parallel} at once (a bulk action on thousands of machines
 * must not open thousands of requests); resolves with the failures as {item, error}, in no particular order.
 */
export async function eachLimited(items, call, parallel = 8) {
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await call(item);
      } catch (error) {
        failures.push({item, error});
      }
    }
  };
  await Promise.all(Array.from({length: Math.min(parallel, items.length)}, worker));
  return failures;
}
