/** Small views shared by the classroom pages: frame readouts, leaderboard, errors, status. */

import { formatEpoch, formatLoss } from "../js/frame.js";
import { drawGrid } from "./heatmap.js";

export const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

/** Draw a decoded frame's large grid into `canvas` and its epoch and losses into the readouts. */
export function showFrame(frame, canvas) {
  drawGrid(canvas, frame.grid, frame.gridSize);
  $("epoch").textContent = formatEpoch(frame.epoch);
  $("train-loss").textContent = formatLoss(frame.trainLoss);
  $("test-loss").textContent = formatLoss(frame.testLoss);
}

/** Names only ever reach the page as text nodes: a name is never markup. */
export function renderLeaderboard(list, entries) {
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement("li");
      item.textContent = `${entry.name} — ${formatLoss(entry.testLoss)}`;
      return item;
    }),
  );
}

export function showError(target, message) {
  target.textContent = message ? `${message.field}: ${message.allowed}` : "";
}

export function showStatus(status, detail) {
  $("connection").textContent = detail ? `${status} (${detail})` : status;
}

/** "4, 2" -> [4, 2]; "" -> []; anything else is sent as written and the server names the problem. */
export function parseShape(text) {
  const trimmed = text.trim();
  if (!trimmed) return [];
  return trimmed.split(/[\s,]+/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
