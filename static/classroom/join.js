/** The student page: join by code, follow the instructor live, fork, take on pushed challenges. */

import { HANDOFF_KEY, handoffRecord, pageStorage } from "../js/handoff.js";
import { restoreOf } from "../js/session.js";
import { serializeHash, defaultState, withConfig } from "../js/state.js";
import { bindTrainingControls } from "./controls.js";
import { RoomConnection } from "./room-socket.js";
import { $, renderLeaderboard, showError, showFrame, showStatus } from "./view.js";

const STORE = "classroom-member";
let conn = null;
let mode = "follow";
let playing = false;
let locks = [];
let own = null; // {config, frame}: the student's own session as last drawn, for the playground link

async function join(event) {
  event.preventDefault();
  const code = $("join-code").value;
  const name = $("join-name").value;
  const response = await fetch("/classroom/api/join", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, name }),
  });
  const body = await response.json();
  if (!response.ok) {
    showError($("join-error"), body);
    return;
  }
  // Kept for this tab only, so a reload rejoins as the same student.
  sessionStorage.setItem(STORE, JSON.stringify(body));
  start(body);
}

function setMode(next) {
  mode = next;
  $("mode").textContent = mode === "follow" ? "Following the instructor" : "Your own session";
  $("fork").hidden = false;
  $("follow").hidden = mode === "follow";
  $("own-controls").hidden = mode === "follow";
  $("open-playground").hidden = mode === "follow";
}

function applyLocks(next) {
  locks = next;
  for (const el of document.querySelectorAll("[data-control]")) {
    el.hidden = locks.includes(el.dataset.control);
  }
}

function onJson(message) {
  switch (message.type) {
    case "room":
      applyLocks(message.locks);
      setMode(message.mode);
      showChallenge(message.challenge);
      break;
    case "state":
      // Frames after this state are of this config (the server sends a change's state first).
      own = message.source === "own" ? { config: message.config, frame: null } : null;
      delete $("open-playground").dataset.network;
      if (!own) break;
      playing = message.playing;
      $("play").textContent = playing ? "Pause" : "Play";
      $("dataset").value = message.config.dataset;
      $("network-shape").value = message.config.networkShape.join(",");
      $("learning-rate").value = String(message.config.learningRate);
      $("open-playground").href = "/" + serializeHash({ ...withConfig(defaultState(), message.config), hidden: locks });
      break;
    case "forked":
    case "pushed":
      setMode("own");
      if (message.challenge !== undefined) showChallenge(message.challenge);
      break;
    case "locks":
      applyLocks(message.controls);
      break;
    case "spotlight":
      $("spotlight-notice").hidden = !message.on;
      break;
    case "leaderboard":
      $("leaderboard-box").hidden = false;
      renderLeaderboard($("leaderboard"), message.entries);
      break;
    case "error":
      showError($("room-error"), message);
      break;
    case "closed":
      sessionStorage.removeItem(STORE);
      $("room-error").textContent = `The room is closed: ${message.reason}`;
      break;
  }
}

function showChallenge(challenge) {
  const box = $("challenge");
  box.hidden = !challenge;
  if (!challenge) return;
  const limits = Object.entries(challenge.constraints || {})
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(", ") : value}`)
    .join("; ");
  box.textContent = `Challenge: ${challenge.config.dataset}${limits ? ` (${limits})` : ""}. Lowest test loss wins.`;
}

/** The room is gone (closed, expired, or this tab's membership unknown): back to the form. */
function leave(reason) {
  sessionStorage.removeItem(STORE);
  document.getElementById("room").hidden = true;
  document.getElementById("join").hidden = false;
  $("join-error").textContent = `Left the room: ${reason}`;
}

function start(member) {
  document.getElementById("join").hidden = true;
  document.getElementById("room").hidden = false;
  $("room-code").textContent = member.code;
  $("my-name").textContent = member.name;
  const hello = { type: "hello", role: "student", code: member.code, member: member.memberToken };
  conn = new RoomConnection(hello, {
    onJson,
    onFrame,
    onStatus: (status, detail) => {
      showStatus(status, detail);
      if (status === "closed") leave(detail);
    },
  });
  conn.connect();
  setMode("follow");
}

function send(message) {
  if (conn) conn.send(message);
}

function onFrame(frame) {
  if (own) {
    if (!own.frame) $("open-playground").dataset.network = "exact"; // the link now carries it
    own.frame = frame;
  }
  showFrame(frame, $("follow-heatmap"));
}

/**
 * "Open in the playground" carries the network the student sees, exactly (frames are float64):
 * the playground tab takes it from storage on its first connect. The link itself carries the
 * config and seed, so it still works where storage is refused.
 */
function handOver() {
  if (mode !== "own" || !own || !own.frame) return;
  try {
    const storage = pageStorage();
    if (storage) storage.setItem(HANDOFF_KEY, handoffRecord(restoreOf(own.frame, own.config), Date.now()));
  } catch {
    // Storage full or refused: the playground opens with the config alone.
  }
}

$("fork").addEventListener("click", () => send({ type: "fork" }));
$("open-playground").addEventListener("click", handOver);
$("open-playground").addEventListener("auxclick", handOver); // a middle click opens a tab too
$("follow").addEventListener("click", () => {
  send({ type: "follow" });
  setMode("follow");
});
bindTrainingControls(send, () => playing);
$("join-form").addEventListener("submit", join);

const query = new URLSearchParams(location.search);
if (query.get("code")) $("join-code").value = query.get("code");
const saved = sessionStorage.getItem(STORE);
if (saved) start(JSON.parse(saved));
