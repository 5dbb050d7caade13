/** The instructor page: create a room, drive its network, push, lock, watch the gallery, spotlight. */

import { bindTrainingControls } from "./controls.js";
import { renderGallery } from "./gallery.js";
import { RoomConnection, fragmentParams } from "./room-socket.js";
import { $, renderLeaderboard, showError, showFrame, showStatus } from "./view.js";

let conn = null;
let token = "";
let playing = false;
let students = [];
let spotlightName = "";

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

function send(message) {
  conn.send(message);
}

function onJson(message) {
  switch (message.type) {
    case "state":
      if (message.source !== "room") break;
      playing = message.playing;
      $("play").textContent = playing ? "Pause" : "Play";
      $("dataset").value = message.config.dataset;
      if (document.activeElement !== $("network-shape")) {
        $("network-shape").value = message.config.networkShape.join(",");
      }
      $("learning-rate").value = String(message.config.learningRate);
      break;
    case "room":
      $("member-count").textContent = String(message.members);
      spotlightName = message.spotlight ? message.spotlight.name : "";
      $("stage-title").textContent = spotlightName ? `Spotlight: ${spotlightName}` : "Your network";
      $("end-spotlight").hidden = !spotlightName;
      document.body.classList.toggle("spotlight", Boolean(spotlightName));
      if (spotlightName) scrollTo(0, 0);
      break;
    case "gallery":
      students = message.students;
      $("member-count").textContent = String(students.length);
      drawGallery();
      break;
    case "leaderboard":
      renderLeaderboard($("leaderboard"), message.entries);
      break;
    case "error":
      showError($("room-error"), message);
      break;
    case "closed":
      $("room-error").textContent = `The room is closed: ${message.reason}`;
      break;
  }
}

function drawGallery() {
  const spotlight = (id) => send({ type: "spotlight", token, member: id });
  renderGallery($("gallery"), students, $("gallery-sort").value, spotlight);
}

function start(code, secret) {
  token = secret;
  document.getElementById("create").hidden = true;
  document.getElementById("room").hidden = false;
  $("room-code").textContent = code;
  $("join-url").textContent = `${location.host}/classroom/join`;
  const hello = { type: "hello", role: "instructor", code, token };
  conn = new RoomConnection(hello, {
    onJson,
    onFrame: (frame) => showFrame(frame, $("room-heatmap")),
    onStatus: showStatus,
  });
  conn.connect();

  bindTrainingControls(send, () => playing);
  $("push-setup").addEventListener("click", () => send({ type: "push", token }));
  $("push-challenge").addEventListener("click", () => send({
    type: "push",
    token,
    challenge: {
      config: { dataset: $("challenge-dataset").value },
      constraints: { maxNeurons: Number($("challenge-max-neurons").value) },
      leaderboard: $("challenge-leaderboard").checked,
    },
  }));
  $("apply-locks").addEventListener("click", () => {
    const controls = [...document.querySelectorAll(".locks input:checked")].map((box) => box.value);
    send({ type: "lock", token, controls });
  });
  $("end-spotlight").addEventListener("click", () => send({ type: "spotlight", token, member: null }));
  $("close-room").addEventListener("click", () => send({ type: "close", token }));
  $("gallery-sort").addEventListener("change", drawGallery);
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea")) return;
    if (e.key === " ") {
      e.preventDefault();
      send({ type: playing ? "pause" : "play" });
    } else if (e.key === "ArrowRight") {
      send({ type: "step" });
    } else if (e.key === "Escape" && spotlightName) {
      send({ type: "spotlight", token, member: null });
    }
  });
}

const params = fragmentParams();
if (params.code && params.token) start(params.code, params.token);
$("create-room").addEventListener("click", createRoom);
