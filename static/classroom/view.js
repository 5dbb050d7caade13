/** Small views shared by the classroom pages: a test id lookup, the leaderboard, request errors. */

import { formatLoss } from "../js/frame.js";

export const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

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

/** A refused request (creating or joining a room): its message, written for people by the server. */
export function showError(target, message) {
  target.textContent = message ? message.message || `${message.field}: ${message.allowed}` : "";
}
