/**
 * The page's state as one object and what each server message, frame and socket event does to
 * it: pure functions (state, input) -> new state, kept in the store (store.js) by main.js.
 */

import { answers } from "./session.js";
import { withConfig } from "./state.js";

const MAX_ERRORS = 10;
// Errors that end the wait for the opening config's answer: a refusal of that config or restore
// (or of a message whose type could not be read).
const OPENING = new Set(["config", "restore", null]);

/** A fresh page state; `setup` is what the page asks for (state.js: config, display keys, hidden). */
export function initialState(setup) {
  return {
    setup,
    server: null, // the last `state` message the page took
    data: null, // {train, test, own, seed}: the points, own points, and the seed of their state
    exported: null, // the last `export` answer (a file to download)
    frame: null, // the last decoded frame taken
    focus: null, // the node shown large, null for the output
    inspection: null, // the last `inspection` answer, or an `error` refusing an `inspect`
    picked: null, // the weight or bias the user last asked the inspector to explain
    errors: [], // the last few server errors, newest last (the page shows each by its control)
    status: { state: "connecting", detail: "" },
    readOnly: false, // showing a session the page does not drive: controls show, none acts
    run: 0, // which session the page shows: a classroom page counts up when it shows another
    locked: [], // controls a classroom locks (they are also in setup.hidden)
    expect: null, // the config sent on opening, until the server's state answers it
    skipped: null, // a state that came before that answer (a greeting), kept in case of a refusal
    skippedFrame: null,
    restorable: true, // false once an offline edit made the frame in hand unfit to restore
    opened: [], // the types of the messages sent when the socket last opened
    stats: { frames: 0, connects: 0, framesThisConnect: 0, drawMs: 0 },
  };
}

/** The socket opened and the page sent `messages`: wait for the answer to its config, if any. */
export function opened(state, messages) {
  const opening = messages.find((m) => m.type === "config" || m.type === "restore");
  const { stats } = state;
  return {
    ...state,
    expect: opening ? opening.config : null,
    skipped: null,
    skippedFrame: null,
    restorable: true,
    opened: messages.map((m) => m.type),
    stats: { ...stats, connects: stats.connects + 1, framesThisConnect: 0 },
  };
}

function takeState(state, message) {
  return {
    ...state,
    server: message,
    setup: withConfig(state.setup, message.config),
    expect: null,
    skipped: null,
    skippedFrame: null,
  };
}

function takeError(state, message) {
  if (message.request === "inspect") return { ...state, inspection: message };
  let next = { ...state, errors: [...state.errors.slice(1 - MAX_ERRORS), message] };
  // Only a refusal of the opening config or restore ends the wait for its state; an error about
  // anything else (a late ack, say) must not make the page adopt a greeting session.
  if (state.expect && !OPENING.has(message.request)) return next;
  next = { ...next, expect: null, skipped: null, skippedFrame: null };
  // The session keeps its last valid config: show it (a greeting state kept aside, or the last one).
  if (state.skipped) {
    next = receive(next, state.skipped);
    return state.skippedFrame ? receiveFrame(next, state.skippedFrame) : next;
  }
  return state.server ? { ...next, setup: withConfig(next.setup, state.server.config) } : next;
}

/** A JSON message from the server. */
export function receive(state, message) {
  switch (message.type) {
    case "state":
      // A greeting (the session's own defaults, before it took our config) must not overwrite the URL.
      if (state.expect && !answers(state.expect, message.config)) return { ...state, skipped: message };
      return takeState(state, message);
    case "data":
      // `data` follows the `state` of the same change: that state's seed made these points.
      return {
        ...state,
        data: { train: message.train, test: message.test, own: message.own || null, seed: state.server ? state.server.config.seed : null },
      };
    case "export":
      return { ...state, exported: message };
    case "error":
      return takeError(state, message);
    case "inspection":
      return { ...state, inspection: message };
    default:
      return state;
  }
}

/** A decoded frame; one of a greeting session, before the answer to our config, waits aside. */
export function receiveFrame(state, frame) {
  if (state.expect) return { ...state, skippedFrame: frame };
  const { stats } = state;
  return { ...state, frame, stats: { ...stats, frames: stats.frames + 1, framesThisConnect: stats.framesThisConnect + 1 } };
}

/** The user changed part of the setup (a control, a display toggle). */
export function changeSetup(state, partial) {
  return { ...state, setup: { ...state.setup, ...partial } };
}
