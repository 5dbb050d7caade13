/** Contour lines of a scalar grid by marching squares: pure functions, grids flat row-major. */

/** `count` levels spaced geometrically above `floor` (J - J* spans decades on a quadratic). */
export function geometricLevels(values, floor, count) {
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > hi) hi = v;
  const span = Math.max(hi - floor, 1e-12);
  const low = span * 1e-3;
  const levels = [];
  for (let k = 0; k < count; k += 1) {
    levels.push(floor + low * (span / low) ** (k / (count - 1)));
  }
  return levels;
}

// For each of the 16 corner cases, the pairs of cell edges a line joins (0 top, 1 right,
// 2 bottom, 3 left). The two saddle cases join both pairs.
const CASES = [
  [], [[3, 2]], [[2, 1]], [[3, 1]], [[0, 1]], [[3, 0], [2, 1]], [[0, 2]], [[3, 0]],
  [[3, 0]], [[0, 2]], [[3, 2], [0, 1]], [[0, 1]], [[3, 1]], [[2, 1]], [[3, 2]], [],
];

/**
 * Segments [x1, y1, x2, y2] (in cell units: x = column, y = row) where the grid crosses `level`.
 * `values` has nx * ny entries, row-major.
 */
export function isoLines(values, nx, ny, level) {
  const segments = [];
  const at = (i, j) => values[i * nx + j];
  for (let i = 0; i < ny - 1; i += 1) {
    for (let j = 0; j < nx - 1; j += 1) {
      const tl = at(i, j), tr = at(i, j + 1), br = at(i + 1, j + 1), bl = at(i + 1, j);
      const code = (tl > level ? 8 : 0) | (tr > level ? 4 : 0) | (br > level ? 2 : 0) | (bl > level ? 1 : 0);
      const cut = (a, b) => (level - a) / (b - a);
      const edge = (e) => {
        if (e === 0) return [j + cut(tl, tr), i];
        if (e === 1) return [j + 1, i + cut(tr, br)];
        if (e === 2) return [j + cut(bl, br), i + 1];
        return [j, i + cut(tl, bl)];
      };
      for (const [a, b] of CASES[code]) segments.push([...edge(a), ...edge(b)]);
    }
  }
  return segments;
}
