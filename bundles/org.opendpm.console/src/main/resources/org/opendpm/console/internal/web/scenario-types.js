import {api} from './api.js';

/*
 * The installed scenario types, kept current while a view needs them. GET /scenario-types is read every 3 s while
 * anyone watches and the page is visible: it answers from the server's plugin registry in memory (no database read)
 * with a few entries, so polling costs less than a second event stream kept open per page, and the execution event
 * stream stays about executions. Watchers are told only when a type comes, goes or changes version.
 */
const PERIOD_MS = 3000;
const watchers = new Set();
let types = null;
let signature = '';
let timer = null;

async function poll() {
  if (document.hidden && types !== null) return;
  let next;
  try {
    next = await api('GET', 'scenario-types');
  } catch (e) {
    return;
  }
  const sig = JSON.stringify(next.map((t) => [t.key, t.bundle, t.bundleVersion, t.settingsVersion, t.schemaError]));
  if (sig === signature) return;
  signature = sig;
  types = next;
  watchers.forEach((w) => w(types));
}

/** Calls {@code watcher} with the types now (once read) and on every change; returns the function that stops it. */
export function watchScenarioTypes(watcher) {
  watchers.add(watcher);
  if (types !== null) watcher(types);
  if (timer === null) {
    poll();
    timer = setInterval(poll, PERIOD_MS);
  }
  return () => {
    watchers.delete(watcher);
    if (!watchers.size) {
      clearInterval(timer);
      timer = null;
    }
  };
}
