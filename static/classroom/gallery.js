/** The instructor's gallery: one tile per student (heatmap, architecture, epoch, test loss, here or not). */

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

/** A tile's line: "2-4-1 · 000,120 · test 0.123", "following you", and whether they are here now. */
export function tileText(student) {
  const own = student.layers ? `${student.layers.join("-")} · ${formatEpoch(student.epoch || 0)} · test ${formatLoss(student.testLoss)}` : "following you";
  return student.connected ? own : `${own} · not connected`;
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
    info.textContent = tileText(student);
    // Only a network of their own can go on the projector.
    const button = tile.querySelector("button");
    button.disabled = !student.layers;
    button.title = student.layers ? `Show ${student.name}'s network to the class` : `${student.name} follows you: no network of their own yet`;
    if (student.thumb) painter.paint(canvas, fromBase64(student.thumb), student.size);
    return tile;
  });
  container.replaceChildren(...tiles);
}
