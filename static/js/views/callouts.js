/** The original's tips for a first visit, on the diagram: each dismissed for good with its ×. */

import { calloutPlaces, calloutText } from "../words.js";

export const DISMISSED_KEY = "playground-tips-dismissed";

function dismissed(storage) {
  try {
    return new Set(JSON.parse(storage.getItem(DISMISSED_KEY) || "[]"));
  } catch {
    return new Set(); // storage refused or garbled: show the tips
  }
}

function remember(storage, id) {
  try {
    storage.setItem(DISMISSED_KEY, JSON.stringify([...dismissed(storage), id]));
  } catch {
    // Storage refused: the tip goes for this page only.
  }
}

/**
 * Tips on a NetworkView: call the returned function after each build. `storage`: localStorage
 * (or null where the browser refuses it).
 */
export function calloutsOn(view, storage, touch) {
  return function place() {
    if (!view.layers) return;
    const gone = storage ? dismissed(storage) : new Set();
    const rows = Math.max(view.features.length, ...view.layers.slice(1, -1), 1);
    for (const [id, node] of Object.entries(calloutPlaces(view.layers, rows))) {
      const anchor = node === null ? null : view.root.querySelector(`.node[data-node="${node}"]`);
      if (!anchor || gone.has(id)) continue;
      const tip = document.createElement("div");
      tip.className = `callout callout-${id}`;
      tip.dataset.testid = `tip-${id}`;
      tip.setAttribute("role", "note");
      const text = document.createElement("p");
      text.textContent = calloutText(id, touch);
      const close = document.createElement("button");
      close.type = "button";
      close.className = "callout-close";
      close.textContent = "×";
      close.setAttribute("aria-label", "Dismiss this tip");
      close.addEventListener("click", () => {
        if (storage) remember(storage, id);
        tip.remove();
      });
      tip.append(text, close);
      const size = anchor.offsetWidth;
      tip.style.left = `${anchor.offsetLeft - (id === "weights" ? 2 * size : 0)}px`;
      tip.style.top = `${anchor.offsetTop + size + 14}px`;
      view.root.append(tip);
    }
  };
}
