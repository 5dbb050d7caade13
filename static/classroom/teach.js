/** The instructor's page: create a room, then drive its session with the whole playground. */

import { openRoomPage } from "./room-page.js";
import { fragmentParams } from "./room-socket.js";
import { mountTeachPanel } from "./teach-panel.js";
import { $, showError } from "./view.js";

let token = "";
const page = openRoomPage("instructor", (send) => ({
  endSpotlight: () => page.store.get().room.spotlight && send({ type: "spotlight", token, member: null }),
}));

async function createRoom() {
  const response = await fetch("/classroom/api/rooms", { method: "POST" });
  const body = await response.json();
  if (!response.ok) {
    showError($("create-error"), body);
    return;
  }
  // The private link: bookmarking it (or reloading) brings the instructor back to the room.
  history.replaceState(null, "", body.instructorUrl);
  start(body.code, body.token);
}

function start(code, secret) {
  token = secret;
  document.getElementById("create").hidden = true;
  document.getElementById("room").hidden = false;
  mountTeachPanel(document, page.store, { send: page.send, code, token });
  page.connect({ type: "hello", role: "instructor", code, token });
}

const params = fragmentParams();
if (params.code && params.token) start(params.code, params.token);
$("create-room").addEventListener("click", createRoom);
