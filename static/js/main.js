/** Wires the playground: the page store and its URL hash, the connection, the header, the views. */

import { pageActions } from "./actions.js";
import { Connection } from "./connection.js";
import { pageStorage, takeHandoff } from "./handoff.js";
import { bindHash } from "./hash-sync.js";
import { KEYMAPS } from "./keyboard.js";
import { initialState, opened, receive, receiveFrame } from "./page-state.js";
import { openingMessages, personId } from "./session.js";
import { mountHeader } from "./site-header.js";
import { configOf, parseHash } from "./state.js";
import { readOnlyView, writable } from "./store.js";
import { mountMore } from "./views/more.js";
import { mountPlaygroundViews } from "./views/page-views.js";

const boot = JSON.parse(document.getElementById("boot").textContent);
const store = writable(initialState(parseHash(location.hash, boot.defaults)));
// The store's current state, read-only, for debugging and the browser tests.
Object.defineProperty(window, "playground", { value: readOnlyView(store) });

function onOpen(isReconnect) {
  const { setup, frame, restorable, server, data } = store.get();
  const messages = openingMessages({
    state: setup, frame: restorable ? frame : null, isReconnect, own: data ? data.own : null,
    speed: server ? server.speed : undefined, defaultSpeed: boot.defaultSpeed, playing: server && server.playing,
    // A network handed over by the classroom, taken once and only if made for this URL's config.
    handoff: isReconnect ? null : takeHandoff(pageStorage(), configOf(setup), Date.now()),
    // This browser's id: one person's tabs share one share of the server's training time.
    person: personId(pageStorage()),
  });
  store.update((s) => opened(s, messages));
  for (const m of messages) conn.send(m);
}

function onFrame(frame) {
  const start = performance.now();
  store.update((s) => receiveFrame(s, frame)); // the views draw it as they hear of it
  const ms = performance.now() - start;
  store.update((s) => ({ ...s, stats: { ...s.stats, drawMs: s.stats.drawMs + ms } }));
}

// `first=config`: the page's first message is its config, so the server waits for it (not for a
// default session to build and throw away).
const conn = new Connection(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws?first=config`, {
  onOpen,
  onJson: (message) => store.update((s) => receive(s, message)),
  onFrame,
  onStatus: (state, detail) => store.update((s) => ({ ...s, status: { state, detail } })),
});
const send = (message) => conn.send(message);
const actions = pageActions(store, send, boot);
mountHeader(document, store, KEYMAPS.playground, actions);
mountPlaygroundViews(document, store, boot, actions);
mountMore(document, store, boot, actions);
bindHash(store, boot, send);
conn.connect();
