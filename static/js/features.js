/** The 7 input features: labels for the page and their values, to draw an inactive input's map. */

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

/**
 * A feature on an n x n grid over [-6, 6]^2 (row 0 at y = +6), quantised like the server's
 * frames: q = round((clamp(v, -1, 1) + 1) * 127).
 */
export function featureGrid(key, n) {
  const f = FEATURE_FUNCS[key][1];
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const y = 6 - (12 * i) / (n - 1);
    for (let j = 0; j < n; j++) {
      const x = -6 + (12 * j) / (n - 1);
      const v = Math.max(-1, Math.min(1, f(x, y)));
      out[i * n + j] = Math.round((v + 1) * 127);
    }
  }
  return out;
}
