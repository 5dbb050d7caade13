/** Draw a quantised grid (one byte per cell, protocol layout) onto a canvas with the playground palette. */

import { byteLut } from "../js/colors.js";

const LUT = byteLut();

/** Paint an n x n byte grid at the canvas's own resolution (the browser scales it). */
export function drawGrid(canvas, bytes, n) {
  if (canvas.width !== n || canvas.height !== n) {
    canvas.width = n;
    canvas.height = n;
  }
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(n, n);
  const pixels = new Uint32Array(image.data.buffer);
  for (let i = 0; i < n * n; i++) pixels[i] = LUT[bytes[i]];
  ctx.putImageData(image, 0, 0);
  canvas.dataset.drawn = String(Number(canvas.dataset.drawn || 0) + 1);
}

/** Base64 (as the gallery sends thumbnails) -> Uint8Array. */
export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
