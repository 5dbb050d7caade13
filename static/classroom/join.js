/** The student's page: join by code, follow the instructor live, work on one's own copy, take on challenges. */

import { openRoomPage, tabStorage } from "./room-page.js";
import { lockLabels, mountStudentPanel, studentGuard } from "./student-panel.js";
import { $, closedText, showError } from "./view.js";

const STORE = "classroom-member";
const boot = JSON.parse(document.getElementById("boot").textContent);
const page = openRoomPage("student", { guard: studentGuard(boot, lockLabels(document)) });
const storage = tabStorage();
let started = false;

async function join(event) {
  event.preventDefault();
  const response = await fetch("/classroom/api/join", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code: $("join-code").value, name: $("join-name").value }),
  });
  const body = await response.json();
  if (!response.ok) {
    showError($("join-error"), body);
    return;
  }
  // Kept for this tab only, so a reload rejoins as the same student.
  if (storage) storage.setItem(STORE, JSON.stringify(body));
  // A page that was in another room starts afresh in this one.
  if (started) location.reload();
  else start(body);
}

/** The room is gone (closed, expired, or this tab's membership unknown): back to the form. */
function leave(reason) {
  if (storage) storage.removeItem(STORE);
  document.getElementById("room").hidden = true;
  document.getElementById("join").hidden = false;
  $("join-error").textContent = `You left the room. ${closedText(reason)}`;
}

function start(member) {
  started = true;
  document.getElementById("join").hidden = true;
  document.getElementById("room").hidden = false;
  $("room-code").textContent = member.code;
  $("my-name").textContent = member.name;
  mountStudentPanel(document, page.store, page.send, page.boot);
  page.connect({ type: "hello", role: "student", code: member.code, member: member.memberToken }, leave);
}

$("join-form").addEventListener("submit", join);
const query = new URLSearchParams(location.search);
if (query.get("code")) $("join-code").value = query.get("code");
const saved = storage && storage.getItem(STORE);
if (saved) start(JSON.parse(saved));
