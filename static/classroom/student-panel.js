/**
 * A student's room line and what hangs on it: following or working on one's own copy (and back),
 * the challenge in words, the locks, the shared leaderboard, and one's network to download.
 */

import { formatEpoch } from "../js/frame.js";
import { watch } from "../js/store.js";
import { featureLabels } from "../js/views/page-views.js";
import { describeChallenge, limitBroken } from "./challenge.js";
import { confirmAction } from "./confirm.js";
import { networkFile, saveFile } from "./downloads.js";
import { renderLeaderboard } from "./leaderboard.js";
import { mountLockNotes } from "./lock-notes.js";
import { lockRefusal } from "./locks.js";
import { follow, ownEpoch } from "./room-state.js";
import { $, closedText } from "./view.js";

const MODE_TEXT = { follow: "Following the instructor", own: "Your own network" };

/** The lock list's labels, as the server put them in the page. */
export function lockLabels(doc) {
  return Object.fromEntries(JSON.parse(doc.getElementById("lock-labels").textContent));
}

/**
 * A student's message refused before it is sent, as an `error` in the page's words (a lock, or a
 * change past the challenge's limits), or null to send it. The server checks all this too.
 */
export function studentGuard(boot, labels) {
  const features = featureLabels(boot);
  return (s, message) => {
    if (s.room.mode !== "own" || !s.server) return null;
    const current = s.server.config;
    const locked = lockRefusal(message, s.room.locks, current, labels);
    if (locked || message.type !== "config" || !s.room.challenge) return locked;
    const broken = limitBroken({ ...current, ...message.config }, s.room.challenge.constraints, features);
    if (!broken) return null;
    const field = Object.keys(message.config)[0];
    return { type: "error", request: "config", field, allowed: "the challenge's limits", message: broken };
  };
}

/** Ask before a fork replaces a network the student trained; true to go on. */
async function forkAllowed(doc, s) {
  const epoch = ownEpoch(s);
  if (!epoch) return true;
  const what = s.room.challenge ? "Your challenge network" : "Your own network";
  const question = `${what} (epoch ${formatEpoch(epoch)}) will be replaced by a copy of the instructor's. Your work on it is lost.`;
  return confirmAction(doc, question, { yes: "Replace my network", no: "Keep my network" });
}

function mountButtons(doc, store, send) {
  watch(store, (s) => [s.room.mode, s.room.challenge, Boolean(s.room.own)], ([mode, challenge, kept]) => {
    $("mode").textContent = MODE_TEXT[mode];
    const own = mode === "own";
    // In a challenge, a copy of the instructor's network would leave the challenge: not offered.
    $("fork").hidden = own && Boolean(challenge);
    $("fork").textContent = own ? "Start again from the instructor's network" : "Work on my own copy";
    // One who joined after the push has no network of the challenge yet: they can take it up.
    $("take-challenge").hidden = own || kept || !challenge;
    $("fork").classList.toggle("strong", !own && !challenge);
    $("resume").hidden = own || !kept;
    $("follow").hidden = !own;
    $("download-network").hidden = !own;
  });
  $("fork").addEventListener("click", async () => {
    if (await forkAllowed(doc, store.get())) send({ type: "fork" });
  });
  $("resume").addEventListener("click", () => send({ type: "resume" }));
  $("take-challenge").addEventListener("click", () => send({ type: "take_challenge" }));
  $("follow").addEventListener("click", () => {
    send({ type: "follow" });
    store.update(follow);
  });
}

/** "Download my network": ask for a snapshot, save the one that answers. */
function mountDownload(doc, store, send) {
  let asked = false;
  $("download-network").addEventListener("click", () => {
    asked = send({ type: "snapshot" });
  });
  watch(store, (s) => s.room.snapshot, (snapshot, s) => {
    if (!snapshot || !asked) return;
    asked = false;
    const file = networkFile(snapshot, { name: s.room.name, code: s.room.code });
    saveFile(doc, new Blob([file.text], { type: "application/json" }), file.name);
  });
}

/** Mount the room line on the page's store; `send` speaks on the room socket. */
export function mountStudentPanel(doc, store, send, boot) {
  const labels = featureLabels(boot);
  watch(store, (s) => [s.room.code, s.room.name], ([code, name]) => {
    if (code) $("room-code").textContent = code;
    if (name) $("my-name").textContent = name;
  });
  mountButtons(doc, store, send);
  mountDownload(doc, store, send);
  mountLockNotes(doc, store, lockLabels(doc));
  watch(store, (s) => s.room.spotlit, (on) => { $("spotlight-notice").hidden = !on; });
  watch(store, (s) => s.room.challenge, (challenge) => {
    $("challenge").hidden = !challenge;
    if (challenge) $("challenge").textContent = describeChallenge(challenge, labels);
  });
  // The class sees a challenge's leaderboard while that challenge runs (if the instructor shares it).
  watch(store, (s) => [s.room.leaderboard, s.room.challenge, s.room.name], ([board, challenge, name]) => {
    $("leaderboard-box").hidden = !board || !challenge;
    if (board && challenge) renderLeaderboard($("leaderboard"), board, name);
  });
  watch(store, (s) => s.room.closed, (reason) => reason && ($("room-error").textContent = closedText(reason)));
}
