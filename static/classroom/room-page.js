/**
 * A room page (the instructor's or a student's): the playground's store, header and views at
 * once, fed by the room socket once the page knows its room.
 */

import { pageActions } from "../js/actions.js";
import { KEYMAPS } from "../js/keyboard.js";
import { initialState, receiveFrame } from "../js/page-state.js";
import { mountHeader } from "../js/site-header.js";
import { defaultState } from "../js/state.js";
import { readOnlyView, writable } from "../js/store.js";
import { mountPlaygroundViews } from "../js/views/page-views.js";
import { RoomConnection } from "./room-socket.js";
import { receiveRoom, roomState } from "./room-state.js";

/**
 * Mount the page for `role` ("instructor" or "student"); `roomActions(send)` adds the page's own
 * key actions. Returns {store, send, actions, connect(hello)}: nothing is sent before connect.
 */
export function openRoomPage(role, roomActions = () => ({})) {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const page = roomState(initialState(defaultState(boot.defaults)), role);
  const store = writable({ ...page, status: { state: "idle", detail: "" } });
  // The store's current state, read-only, for debugging and the browser tests.
  Object.defineProperty(window, "playground", { value: readOnlyView(store) });
  let conn = null;
  const send = (message) => Boolean(conn) && conn.send(message);
  // A room's frames are shared: a hovered neuron shows its thumbnail large, asking nothing.
  const actions = pageActions(store, send, boot, { sendFocus: false });
  mountHeader(document, store, KEYMAPS[role], { ...actions, ...roomActions(send) });
  mountPlaygroundViews(document, store, boot, actions);
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
