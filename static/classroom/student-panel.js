/** A student's room line: who and where, following or own session, fork and follow, the challenge. */

import { HANDOFF_KEY, handoffRecord, pageStorage } from "../js/handoff.js";
import { restoreOf } from "../js/session.js";
import { defaultState, serializeHash, withConfig } from "../js/state.js";
import { watch } from "../js/store.js";
import { featureLabels } from "../js/views/page-views.js";
import { describeChallenge } from "./challenge.js";
import { follow } from "./room-state.js";
import { $, renderLeaderboard } from "./view.js";

const MODE_TEXT = { follow: "Following the instructor", own: "Your own session" };

/**
 * The student's own network, exactly (frames are float64), for the playground tab that "Open in
 * the playground" opens: it takes the record from storage on its first connect. The link itself
 * carries the config and seed, so it still works where storage is refused.
 */
function handOver(store) {
  const { room, frame, server } = store.get();
  if (room.mode !== "own" || !frame || !server) return;
  try {
    const storage = pageStorage();
    if (storage) storage.setItem(HANDOFF_KEY, handoffRecord(restoreOf(frame, server.config), Date.now()));
  } catch {
    // Storage full or refused: the playground opens with the config alone.
  }
}

/** Mount the room line on the page's store; `send` speaks on the room socket. */
export function mountStudentPanel(store, send, boot) {
  const labels = featureLabels(boot);
  watch(store, (s) => [s.room.code, s.room.name], ([code, name]) => {
    if (code) $("room-code").textContent = code;
    if (name) $("my-name").textContent = name;
  });
  watch(store, (s) => s.room.mode, (mode) => {
    $("mode").textContent = MODE_TEXT[mode];
    $("follow").hidden = mode === "follow";
    $("open-playground").hidden = mode === "follow";
  });
  const link = $("open-playground");
  watch(store, (s) => [s.room.mode, s.server, s.frame, s.room.locks], ([mode, server, frame, locks]) => {
    if (mode !== "own" || !server) return;
    link.href = "/" + serializeHash({ ...withConfig(defaultState(), server.config), hidden: locks });
    // With a frame of its own session in hand, the link carries the network too.
    if (frame) link.dataset.network = "exact";
    else delete link.dataset.network;
  });
  watch(store, (s) => s.room.spotlit, (on) => { $("spotlight-notice").hidden = !on; });
  watch(store, (s) => s.room.challenge, (challenge) => {
    $("challenge").hidden = !challenge;
    if (challenge) $("challenge").textContent = describeChallenge(challenge, labels);
  });
  // The class sees a challenge's leaderboard while that challenge runs (if the instructor shares it).
  watch(store, (s) => [s.room.leaderboard, s.room.challenge], ([entries, challenge]) => {
    $("leaderboard-box").hidden = !entries || !challenge;
    if (entries) renderLeaderboard($("leaderboard"), entries);
  });
  watch(store, (s) => s.room.closed, (reason) => reason && ($("room-error").textContent = `The room is closed: ${reason}`));
  $("fork").addEventListener("click", () => send({ type: "fork" }));
  $("follow").addEventListener("click", () => {
    send({ type: "follow" });
    store.update(follow);
  });
  link.addEventListener("click", () => handOver(store));
  link.addEventListener("auxclick", () => handOver(store)); // a middle click opens a tab too
}
