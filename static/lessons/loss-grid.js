/** J(m, b) = Σ (y − m x − b)² on a grid, from the points' sums: what the contour map draws. */

/**
 * J on an n x n grid, flat row-major: row 0 at b = bRange[1], column 0 at m = mRange[0], as the
 * engine's `linreg.loss_grid`. Expanded into sums, so the grid costs n² whatever the points.
 */
export function lossGrid(points, mRange, bRange, n) {
  let sxx = 0, sx = 0, sy = 0, sxy = 0, syy = 0;
  for (const [x, y] of points) {
    sxx += x * x; sx += x; sy += y; sxy += x * y; syy += y * y;
  }
  const count = points.length;
  const J = new Float64Array(n * n);
  const at = (lo, hi, k) => lo + ((hi - lo) * k) / (n - 1);
  for (let i = 0; i < n; i++) {
    const b = at(bRange[1], bRange[0], i);
    for (let j = 0; j < n; j++) {
      const m = at(mRange[0], mRange[1], j);
      J[i * n + j] = syy + m * m * sxx + count * b * b - 2 * m * sxy - 2 * b * sy + 2 * m * b * sx;
    }
  }
  return J;
}
