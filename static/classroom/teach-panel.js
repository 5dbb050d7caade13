/**
 * The instructor's room panel: the room's line (join code, who is here, spotlight, close), the
 * lock list, the leaderboard and its results to download, and the gallery.
 */

import { paletteOf } from "../js/colors.js";
import { watch } from "../js/store.js";
import { GridPainter } from "../js/views/grid-painter.js";
import { pushAllowed } from "./challenge-form.js";
import { confirmAction } from "./confirm.js";
import { downloadResults } from "./downloads.js";
import { renderGallery } from "./gallery.js";
import { renderLeaderboard } from "./leaderboard.js";
import { sortGallery } from "./room-state.js";
import { $, closedText, mountDialog } from "./view.js";

/** "2 connected of 3 students", or "No students yet". */
export function rosterText(connected, members) {
  if (!members) return "No students yet";
  return `${connected} connected of ${members} student${members === 1 ? "" : "s"}`;
}

function mountLine(doc, store, send, token) {
  watch(store, (s) => [s.room.connected, s.room.members], ([connected, members]) => {
    $("roster").textContent = rosterText(connected, members);
  });
  watch(store, (s) => s.room.spotlight, (spot) => {
    const name = spot ? spot.name : "";
    $("stage-title").textContent = name ? `Spotlight: ${name}` : "Your network";
    $("end-spotlight").hidden = !name;
    doc.body.classList.toggle("spotlight", Boolean(name));
    if (name) scrollTo(0, 0);
  });
  $("end-spotlight").addEventListener("click", () => send({ type: "spotlight", token, member: null }));
  $("close-room").addEventListener("click", async () => {
    const question = "Close the room? Every student leaves it, and its results can no longer be downloaded: download them first to keep them.";
    if (await confirmAction(doc, question, { yes: "Close the room", no: "Keep it open" })) send({ type: "close", token });
  });
  watch(store, (s) => s.room.closed, (reason) => reason && ($("room-error").textContent = closedText(reason)));
}

/** The lock list shows the room's locks (after a reload too) until the instructor changes a box. */
function mountLocks(doc, store, send, token) {
  const boxes = () => [...doc.querySelectorAll(".room-locks input")];
  const pending = () => boxes().some((box) => box.checked !== store.get().room.locks.includes(box.value));
  watch(store, (s) => s.room.locks.join(), (_, s) => {
    for (const box of boxes()) box.checked = s.room.locks.includes(box.value);
    $("locks-pending").hidden = true;
  });
  for (const box of boxes()) box.addEventListener("change", () => { $("locks-pending").hidden = !pending(); });
  $("apply-locks").addEventListener("click", () => {
    send({ type: "lock", token, controls: boxes().filter((box) => box.checked).map((box) => box.value) });
  });
}

function mountResults(doc, store, { code, token }) {
  // The board in the panel, and large for the projector, live in both.
  watch(store, (s) => s.room.leaderboard, (board) => {
    if (!board) return;
    renderLeaderboard($("leaderboard"), board);
    renderLeaderboard($("leaderboard-large"), board);
  });
  mountDialog($("board-card"), $("show-board"), $("board-card-close"));
  for (const [testid, kind] of [["download-results", "csv"], ["download-results-json", "json"]]) {
    $(testid).addEventListener("click", async () => {
      $("results-error").textContent = "";
      try {
        await downloadResults(doc, code, token, kind);
      } catch (error) {
        $("results-error").textContent = `The results could not be downloaded: ${error.message}`;
      }
    });
  }
}

function mountGallery(store, send, token) {
  // Thumbnails in the page's palette, discretized when the output is.
  const painter = new GridPainter();
  const spotlight = (member) => send({ type: "spotlight", token, member });
  watch(store, (s) => [s.room.students, s.room.sort, paletteOf(s.setup), s.setup.discretize], ([students, sort, palette, discretize]) => {
    painter.setPalette(palette, discretize);
    renderGallery($("gallery"), students, sort, spotlight, painter);
  });
  const sort = $("gallery-sort");
  sort.addEventListener("change", () => store.update((s) => sortGallery(s, sort.value)));
}

/** Mount the panel on the page's store; `send` speaks on the room socket with the instructor's `token`. */
export function mountTeachPanel(doc, store, { send, code, token }) {
  $("room-code").textContent = code;
  $("join-url").textContent = `${location.host}/classroom/join`;
  $("push-setup").addEventListener("click", async () => {
    if (await pushAllowed(doc, store.get())) send({ type: "push", token });
  });
  mountLine(doc, store, send, token);
  mountLocks(doc, store, send, token);
  mountResults(doc, store, { code, token });
  mountGallery(store, send, token);
}
