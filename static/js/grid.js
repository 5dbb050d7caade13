/**
 * Quantised grids as frames carry them (one byte per cell, row-major, row 0 at y = +6): values to
 * bytes, bytes to pixels through a 256-entry lookup table, data points to picture coordinates.
 * Pure functions; views/grid-painter.js puts their output on a canvas.
 */

import { byteLut } from "./colors.js";
import { toPixel } from "./datasets.js";

export const DOMAIN = 6; // grids and points span [-6, 6] in x and y

/** v -> round((clamp(v, -1, 1) + 1) * 127), 0..254; 255 when v is not finite (the server's rule). */
export function quantize(v) {
  if (!Number.isFinite(v)) return 255;
  return Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127);
}

/** f(x, y) on an n x n grid over the domain, row 0 at y = +6, column 0 at x = -6, as bytes. */
export function sampleGrid(f, n) {
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const y = DOMAIN - (2 * DOMAIN * i) / (n - 1);
    for (let j = 0; j < n; j++) out[i * n + j] = quantize(f(-DOMAIN + (2 * DOMAIN * j) / (n - 1), y));
  }
  return out;
}

const luts = new Map();

/** The lookup table of a palette, discretized or not; built once per pair and shared. */
export function paletteLut(palette, discretize = false) {
  const key = `${palette.join()}|${discretize}`;
  if (!luts.has(key)) luts.set(key, byteLut(palette, discretize));
  return luts.get(key);
}

/** Opaque packed pixels (little-endian RGBA, as a Uint32Array view of ImageData) from [r, g, b]. */
export function packRgb([r, g, b]) {
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** A lookup table whose byte k is colors[k] ([r, g, b]); bytes past the list take the last colour. */
export function tableLut(colors) {
  const lut = new Uint32Array(256);
  for (let q = 0; q < 256; q++) lut[q] = packRgb(colors[Math.min(q, colors.length - 1)]);
  return lut;
}

/** Fill `pixels` (Uint32Array) from `bytes` through `lut`: the whole cost of painting a grid. */
export function paintBytes(pixels, bytes, lut) {
  for (let i = 0; i < bytes.length; i++) pixels[i] = lut[bytes[i]];
  return pixels;
}

/** For each value, how many of the ascending `levels` it exceeds (a contour band, 0..levels.length). */
export function bandBytes(values, levels) {
  const out = new Uint8Array(values.length);
  for (let k = 0; k < values.length; k++) {
    let band = 0;
    while (band < levels.length && values[k] > levels[band]) band++;
    out[k] = band;
  }
  return out;
}

/** Points [x, y, label] -> [px, py, label] on a size x size picture; those off the domain are left out. */
export function plotPoints(points, size) {
  const out = [];
  for (const [x, y, label] of points) {
    if (Math.abs(x) > DOMAIN || Math.abs(y) > DOMAIN) continue;
    const [px, py] = toPixel(x, y, size);
    out.push([px, py, label]);
  }
  return out;
}
