/** The instructor's page: create a room, then drive its session with the whole playground. */

import { featureLabels } from "../js/views/page-views.js";
import { mountChallengeForm } from "./challenge-form.js";
import { forgetSecret, keepSecret, privateLink, takeSecret } from "./instructor-link.js";
import { mountJoinCard } from "./join-card.js";
import { openRoomPage, tabStorage } from "./room-page.js";
import { mountTeachPanel } from "./teach-panel.js";
import { $, showError } from "./view.js";

let token = "";
const page = openRoomPage("instructor", {
  roomActions: (send) => ({
    endSpotlight: () => page.store.get().room.spotlight && send({ type: "spotlight", token, member: null }),
  }),
});
const storage = tabStorage() || { getItem: () => null, setItem() {}, removeItem() {} };

async function createRoom() {
  const response = await fetch("/classroom/api/rooms", { method: "POST" });
  const body = await response.json();
  if (!response.ok) {
    showError($("create-error"), body);
    return;
  }
  const secret = { code: body.code, token: body.token };
  keepSecret(window, storage, secret);
  // A page that had a room starts afresh for the new one (the tab's storage has it).
  if (token) location.reload();
  else start(secret);
}

/** The room is gone: this tab forgets it, and offers to start another. */
function ended() {
  forgetSecret(storage);
  $("create-room").textContent = "Create a new room";
  document.getElementById("create").hidden = false;
}

function start({ code, token: secret }) {
  token = secret;
  document.getElementById("create").hidden = true;
  document.getElementById("room").hidden = false;
  // The link that brings the instructor back; the address bar no longer shows it.
  $("private-link").value = privateLink(location.origin, { code, token });
  mountTeachPanel(document, page.store, { send: page.send, code, token });
  mountJoinCard(document, code);
  mountChallengeForm(document, page.store, { boot: page.boot, labels: featureLabels(page.boot), send: page.send, token });
  page.connect({ type: "hello", role: "instructor", code, token }, ended);
}

$("create-room").addEventListener("click", createRoom);
const secret = takeSecret(window, storage);
if (secret) start(secret);
