/** The instructor's gallery: one tile per student (heatmap, architecture, epoch, test loss). */

import { formatEpoch, formatLoss } from "../js/frame.js";

/** Base64 (as the gallery sends thumbnails) -> Uint8Array. */
export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Students sorted by name or by test loss (students without a loss last). */
export function sortStudents(students, by) {
  const copy = students.slice();
  if (by === "loss") {
    const key = (s) => (Number.isFinite(s.testLoss) ? s.testLoss : Infinity);
    copy.sort((a, b) => key(a) - key(b) || a.name.localeCompare(b.name));
  } else {
    copy.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
  return copy;
}

function makeTile(onSpotlight) {
  const tile = document.createElement("div");
  tile.className = "tile";
  tile.dataset.testid = "gallery-tile";
  const canvas = document.createElement("canvas");
  const name = document.createElement("div");
  name.className = "name";
  name.dataset.testid = "tile-name";
  const info = document.createElement("div");
  info.dataset.testid = "tile-info";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Spotlight";
  button.dataset.testid = "tile-spotlight";
  button.addEventListener("click", () => onSpotlight(tile.dataset.member));
  tile.append(canvas, name, info, button);
  return tile;
}

/**
 * Update the grid in place, reusing each student's tile so a refresh costs little; `painter`
 * (a GridPainter) paints the thumbnails in the page's palette.
 */
export function renderGallery(container, students, by, onSpotlight, painter) {
  const existing = new Map([...container.children].map((tile) => [tile.dataset.member, tile]));
  const tiles = sortStudents(students, by).map((student) => {
    const tile = existing.get(student.id) || makeTile(onSpotlight);
    tile.dataset.member = student.id;
    tile.classList.toggle("offline", !student.connected);
    const [canvas, name, info] = tile.children;
    name.textContent = student.name;
    name.title = student.name;
    const arch = student.layers ? student.layers.join("-") : "following";
    const loss = student.layers ? ` · test ${formatLoss(student.testLoss)}` : "";
    info.textContent = `${arch} · ${formatEpoch(student.epoch || 0)}${loss}`;
    if (student.thumb) painter.paint(canvas, fromBase64(student.thumb), student.size);
    return tile;
  });
  container.replaceChildren(...tiles);
}
