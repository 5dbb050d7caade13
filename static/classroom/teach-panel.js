/** The instructor's room panel: join code, spotlight, push and challenge, locks, leaderboard, gallery. */

import { paletteOf } from "../js/colors.js";
import { watch } from "../js/store.js";
import { GridPainter } from "../js/views/grid-painter.js";
import { renderGallery } from "./gallery.js";
import { sortGallery } from "./room-state.js";
import { $, renderLeaderboard } from "./view.js";

function mountActions(doc, send, token) {
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
    const controls = [...doc.querySelectorAll(".room-locks input:checked")].map((box) => box.value);
    send({ type: "lock", token, controls });
  });
  $("end-spotlight").addEventListener("click", () => send({ type: "spotlight", token, member: null }));
  $("close-room").addEventListener("click", () => send({ type: "close", token }));
}

/** Mount the panel on the page's store; `send` speaks on the room socket with the instructor's `token`. */
export function mountTeachPanel(doc, store, { send, code, token }) {
  $("room-code").textContent = code;
  $("join-url").textContent = `${location.host}/classroom/join`;
  mountActions(doc, send, token);
  watch(store, (s) => s.room.members, (n) => { $("member-count").textContent = String(n); });
  watch(store, (s) => s.room.spotlight, (spot) => {
    const name = spot ? spot.name : "";
    $("stage-title").textContent = name ? `Spotlight: ${name}` : "Your network";
    $("end-spotlight").hidden = !name;
    doc.body.classList.toggle("spotlight", Boolean(name));
    if (name) scrollTo(0, 0);
  });
  watch(store, (s) => s.room.locks.join(), (_, s) => {
    for (const box of doc.querySelectorAll(".room-locks input")) box.checked = s.room.locks.includes(box.value);
  });
  watch(store, (s) => s.room.leaderboard, (entries) => entries && renderLeaderboard($("leaderboard"), entries));
  watch(store, (s) => s.room.closed, (reason) => reason && ($("room-error").textContent = `The room is closed: ${reason}`));
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
