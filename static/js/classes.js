/**
 * Colours for K >= 3 classes (issue 12): a colour-blind-safe palette of 8 (Okabe and Ito's, with
 * grey for their black, which would hide the points), the output picture's lookup table (class and
 * confidence per byte, engine/task.py) and each point's colour. Two classes keep the original's.
 */

import { cssColor, HEATMAP_ALPHA, NAN_COLOR, overWhite, parseHex } from "./colors.js";
import { packRgb } from "./grid.js";

export const CLASS_COLORS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999"];
export const CLASS_NAMES = ["orange", "blue", "green", "pink", "sky blue", "red", "yellow", "grey"];
// engine/task.py: byte = class * CLASS_STRIDE + level, level 0 (probability 1/K) .. LEVELS - 1 (1).
const CLASS_STRIDE = 32;
const LEVELS = 31;

/** Whether a setup asks for K >= 3 classes (softmax outputs, class-coloured pictures). */
export function manyClasses(setup) {
  return Boolean(setup) && setup.problem !== "regression" && Number(setup.classes) > 2;
}

/**
 * The output picture's 256-entry table: each class its colour, from a pale tint where the network
 * is unsure to the full colour where it is certain, drawn over white like the original's cells.
 */
export function classLut(discretize = false) {
  if (!luts.has(discretize)) luts.set(discretize, buildClassLut(discretize));
  return luts.get(discretize);
}

const luts = new Map();

function buildClassLut(discretize) {
  const lut = new Uint32Array(256).fill(packRgb(overWhite(NAN_COLOR, 1)));
  CLASS_COLORS.forEach((hex, k) => {
    const full = parseHex(hex);
    for (let level = 0; level < LEVELS; level++) {
      const t = discretize ? 1 : 0.2 + (0.8 * level) / (LEVELS - 1);
      const rgb = full.map((c) => Math.round(255 + (c - 255) * t));
      lut[k * CLASS_STRIDE + level] = packRgb(overWhite(rgb, HEATMAP_ALPHA));
    }
  });
  return lut;
}

const probabilityLuts = new Map();

/**
 * Output node k's thumbnail table (K >= 3): its byte is 2 p - 1 quantised (engine/task.py), shown
 * from white (p = 0) to the class's colour (p = 1).
 */
export function probabilityLut(k) {
  if (!probabilityLuts.has(k)) {
    const full = parseHex(CLASS_COLORS[k] || CLASS_COLORS[7]);
    const lut = new Uint32Array(256).fill(packRgb(overWhite(NAN_COLOR, 1)));
    for (let q = 0; q < 255; q++) {
      const p = q / 254;
      lut[q] = packRgb(overWhite(full.map((c) => Math.round(255 + (c - 255) * p)), HEATMAP_ALPHA));
    }
    probabilityLuts.set(k, lut);
  }
  return probabilityLuts.get(k);
}

/** A point's fill: its class's colour (K >= 3), else the original's palette for its label. */
export function pointColor(label, palette, many) {
  return many ? CLASS_COLORS[label] || CLASS_COLORS[7] : cssColor(label, palette);
}

/** The colour of class k of K: two classes are the palette's ends (orange -1, blue +1). */
export function classColor(k, K, palette) {
  return K > 2 ? CLASS_COLORS[k] : palette[k === 0 ? 0 : 2];
}

/** A class's name for the legend and buttons: its name in the data (an upload's), else its colour. */
export function className(k, K, names = [], colorblind = false) {
  if (names[k]) return names[k];
  if (K > 2) return `class ${k} (${CLASS_NAMES[k]})`;
  const words = colorblind ? ["orange", "dark blue"] : ["orange", "blue"];
  return `class ${k} (${words[k]})`;
}
