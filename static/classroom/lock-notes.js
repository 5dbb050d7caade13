/**
 * Locks shown, not hidden: beside each control the instructor locked, "locked by the instructor",
 * and the locks in a sentence on the room's line. The controls themselves stay in view, disabled
 * (views/controls.js and views/network.js read the page's `locked`).
 */

import { watch } from "../js/store.js";
import { describeLocks } from "./locks.js";

const NOTE = "locked by the instructor";
// Where a lock's note goes when its control has no holder of its own (`data-hide-key`).
const HOLDERS = { features: ".features-head", playButton: ".player", stepButton: ".player", resetButton: ".player" };

/** The element a lock's note goes into, or null (the sentence on the room's line says it). */
function holderOf(doc, name) {
  if (HOLDERS[name]) return doc.querySelector(HOLDERS[name]);
  const holder = doc.querySelector(`[data-hide-key="${name}"]`);
  return holder && !holder.matches("button, select, input") ? holder : null;
}

function note(doc, names, labels) {
  const span = doc.createElement("span");
  span.className = "lock-note";
  span.dataset.testid = "lock-note";
  // The player's buttons share one note, naming which of them are locked.
  const which = names.length > 1 || HOLDERS[names[0]] === ".player" ? `${names.map((n) => labels[n] || n).join(", ")}: ` : "";
  span.textContent = which + NOTE;
  return span;
}

/** Mount on a student's page store; `labels` names each lock as the lock list does. */
export function mountLockNotes(doc, store, labels) {
  const sentence = doc.querySelector('[data-testid="locks-note"]');
  watch(store, (s) => s.locked, (locked) => {
    for (const old of doc.querySelectorAll(".lock-note")) old.remove();
    for (const el of doc.querySelectorAll("[data-own-title]")) {
      el.title = el.dataset.ownTitle;
      el.removeAttribute("data-own-title");
    }
    const byHolder = new Map();
    for (const name of locked) {
      const holder = holderOf(doc, name);
      if (holder) byHolder.set(holder, [...(byHolder.get(holder) || []), name]);
      // A tooltip on the control itself too, for a pointer that rests on it.
      const control = doc.querySelector(`[data-hide-key="${name}"]`);
      if (control) {
        control.dataset.ownTitle = control.title;
        control.title = `${labels[name] || name}: ${NOTE}`;
      }
    }
    for (const [holder, names] of byHolder) holder.append(note(doc, names, labels));
    sentence.textContent = describeLocks(locked, labels);
    sentence.hidden = !locked.length;
  });
}
