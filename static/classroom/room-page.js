/**
 * A room page (the instructor's or a student's): the playground's store, header and views at
 * once, fed by the room socket once the page knows its room.
 */

import { pageActions } from "../js/actions.js";
import { KEYMAPS } from "../js/keyboard.js";
import { initialState, receiveFrame } from "../js/page-state.js";
import { mountHeader } from "../js/site-header.js";
import { defaultState } from "../js/state.js";
import { readOnlyView, watch, writable } from "../js/store.js";
import { mountMore } from "../js/views/more.js";
import { mountPlaygroundViews } from "../js/views/page-views.js";
import { RoomConnection } from "./room-socket.js";
import { receiveRoom, roomState } from "./room-state.js";

const PROJECTOR_KEY = "classroom-projector";

/** This tab's storage, or null where the browser refuses it. */
export function tabStorage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Projector mode outlives a reload of this tab (the room pages keep no hash). */
function keepProjector(store, storage) {
  if (!storage) return;
  watch(store, (s) => Boolean(s.setup.projector), (on) => {
    try {
      if (on) storage.setItem(PROJECTOR_KEY, "1");
      else storage.removeItem(PROJECTOR_KEY);
    } catch {
      // Refused: projector mode lasts until the reload.
    }
  });
}

/**
 * Mount the page for `role` ("instructor" or "student"); `roomActions(send)` adds the page's own
 * key actions; `guard(state, message)` may refuse a message before it is sent, with an `error`
 * the page shows as the server's. Returns {store, send, actions, connect(hello), boot}: nothing is
 * sent before connect.
 */
export function openRoomPage(role, { roomActions = () => ({}), guard = () => null } = {}) {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const storage = tabStorage();
  const setup = { ...defaultState(boot.defaults), projector: Boolean(storage && storage.getItem(PROJECTOR_KEY)) };
  const page = roomState(initialState(setup), role);
  const store = writable({ ...page, status: { state: "idle", detail: "" } });
  // The store's current state, read-only, for debugging and the browser tests.
  Object.defineProperty(window, "playground", { value: readOnlyView(store) });
  let conn = null;
  const send = (message) => {
    const refusal = guard(store.get(), message);
    if (refusal) {
      store.update((s) => receiveRoom(s, refusal));
      return true; // answered, as the server would have: not offline
    }
    return Boolean(conn) && conn.send(message);
  };
  // A room's frames are shared: a hovered neuron shows its thumbnail large, asking nothing.
  const actions = pageActions(store, send, boot, { sendFocus: false });
  mountHeader(document, store, KEYMAPS[role], { ...actions, ...roomActions(send) });
  mountPlaygroundViews(document, store, boot, actions);
  mountMore(document, store, boot, actions); // classes, loss, optimizer, stops, own data, files
  keepProjector(store, storage);
  const connect = (hello, onClosed = () => {}) => {
    conn = new RoomConnection(hello, {
      onJson: (message) => store.update((s) => receiveRoom(s, message)),
      onFrame: (frame) => store.update((s) => receiveFrame(s, frame)),
      onStatus: (state, detail) => {
        store.update((s) => ({ ...s, status: { state, detail } }));
        if (state === "closed") onClosed(detail);
      },
    });
    conn.connect();
  };
  return { store, send, actions, connect, boot };
}
