/**
 * The challenge's leaderboard: each entry's figures as people read them (pure), and the table that
 * shows them on the instructor's and the students' pages.
 */

import { formatLoss } from "../js/frame.js";

export const COLUMNS = ["#", "Name", "Goal reached", "Test loss", "Accuracy", "Weights"];

/** Seconds since the challenge began: "42 s", "3:05", "1:02:09". */
export function formatSeconds(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const two = (n) => String(n).padStart(2, "0");
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** One entry as the table's cells, in COLUMNS' order; `goal` null means the board has none. */
export function rowCells(entry, goal) {
  let reached = "no goal set";
  if (goal) reached = entry.reached ? `yes, after ${formatSeconds(entry.seconds)}` : "not yet";
  const accuracy = entry.accuracy === null || entry.accuracy === undefined ? "—" : `${(entry.accuracy * 100).toFixed(1)} %`;
  return [String(entry.rank), entry.name, reached, formatLoss(entry.testLoss), accuracy, String(entry.weights)];
}

/**
 * Draw `board` ({goal, goalText, entries} of a `leaderboard` message) into `table` (a <table>
 * with a <caption>), marking `me` (a student's own name). Names only ever reach the page as text.
 */
export function renderLeaderboard(table, board, me = null) {
  const doc = table.ownerDocument;
  const cell = (tag, text) => Object.assign(doc.createElement(tag), { textContent: text });
  table.caption.textContent = board.goalText ? `Ranked by ${board.goalText}` : "";
  const head = doc.createElement("tr");
  head.append(...COLUMNS.map((name) => Object.assign(cell("th", name), { scope: "col" })));
  const rows = board.entries.map((entry) => {
    const row = doc.createElement("tr");
    row.dataset.testid = "leaderboard-row";
    row.classList.toggle("reached", Boolean(board.goal && entry.reached));
    row.classList.toggle("me", entry.name === me);
    row.append(...rowCells(entry, board.goal).map((text) => cell("td", text)));
    return row;
  });
  if (!rows.length) {
    const empty = cell("td", "No results yet: a network counts once it trains on the challenge's data within its limits.");
    empty.colSpan = COLUMNS.length;
    rows.push(doc.createElement("tr"));
    rows[0].append(empty);
  }
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...rows);
}
