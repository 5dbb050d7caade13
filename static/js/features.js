/** The 7 input features: labels for the page and their values, to draw an inactive input's map. */

import { sampleGrid } from "./grid.js";

/** Key -> [HTML label, f(x, y)], in input-layer order. The server's registry gives the order. */
export const FEATURE_FUNCS = {
  x: ["X<sub>1</sub>", (x) => x],
  y: ["X<sub>2</sub>", (x, y) => y],
  xSquared: ["X<sub>1</sub><sup>2</sup>", (x) => x * x],
  ySquared: ["X<sub>2</sub><sup>2</sup>", (x, y) => y * y],
  xTimesY: ["X<sub>1</sub>X<sub>2</sub>", (x, y) => x * y],
  sinX: ["sin(X<sub>1</sub>)", (x) => Math.sin(x)],
  sinY: ["sin(X<sub>2</sub>)", (x, y) => Math.sin(y)],
};

export const FEATURE_KEYS = Object.keys(FEATURE_FUNCS);

/** A feature on an n x n grid over [-6, 6]^2 (row 0 at y = +6), quantised like the server's frames. */
export function featureGrid(key, n) {
  return sampleGrid(FEATURE_FUNCS[key][1], n);
}
