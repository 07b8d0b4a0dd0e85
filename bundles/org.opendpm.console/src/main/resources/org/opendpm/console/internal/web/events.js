/*
 * The server's execution event stream (GET /executions/events), one per page however many views follow it. The
 * executions waiting and running are kept by id; views are told at most once per animation frame, with what finished
 * since, so a thousand executions reporting progress cost one render per frame, not one per event. While the page is
 * hidden no frame runs and the changes wait, merged by execution.
 */
const STREAM = '/opendpm/api/v1/executions/events';

const listeners = new Set();
const active = new Map();
let finished = [];
let source = null;
let frame = 0;
let state = 'connecting';

function flush() {
  frame = 0;
  const done = finished;
  finished = [];
  listeners.forEach((l) => l({active, finished: done, state}));
}

function schedule() {
  if (!frame) frame = requestAnimationFrame(flush);
}

function received(execution) {
  if (execution.finished) {
    active.delete(execution.id);
    finished.push(execution);
  } else {
    active.set(execution.id, execution);
  }
  schedule();
}

function open() {
  source = new EventSource(STREAM);
  source.onopen = () => {
    state = 'live';
    schedule();
  };
  source.onerror = () => {
    state = 'reconnecting';
    schedule();
  };
  source.addEventListener('snapshot', (e) => {
    active.clear();
    JSON.parse(e.data).forEach((x) => active.set(x.id, x));
    schedule();
  });
  source.addEventListener('execution', (e) => received(JSON.parse(e.data)));
}

/**
 * Calls {@code listener({active, finished, state})} once a frame while anything changed: {@code active} the
 * executions waiting and running by id (one map, kept current; read it, do not keep it), {@code finished} those that
 * ended since the last call. Returns the function that stops listening; the stream closes with its last listener.
 */
export function watchExecutions(listener) {
  listeners.add(listener);
  if (source === null) open();
  else schedule();
  return () => {
    listeners.delete(listener);
    if (!listeners.size) {
      source.close();
      source = null;
      active.clear();
      finished = [];
      state = 'connecting';
    }
  };
}

/** The progress of an execution as a percentage, or null: the step's own, the execution's, else steps done. */
export function percentOf(e) {
  const p = e.stepProgress;
  if (p && p.percent !== null && p.percent !== undefined) return p.percent;
  if (e.progress !== null && e.progress !== undefined) return e.progress;
  return e.steps ? Math.round((Math.max(0, e.step - 1) * 100) / e.steps) : null;
}
