/** The linear-regression lesson's J grid, drawn in the page: the same numbers as summing J. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { lossGrid } from "../../static/lessons/loss-grid.js";

const J = (points, m, b) => points.reduce((s, [x, y]) => s + (y - m * x - b) ** 2, 0);

test("each cell is J(m, b) summed over the points, row 0 at the largest b", () => {
  const points = [[0, 1], [1, 2.5], [2, 2.9], [3, 4.2], [4, 5.1]];
  const n = 5;
  const grid = lossGrid(points, [-1, 3], [-2, 2], n);
  assert.equal(grid.length, n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const m = -1 + j;
      const b = 2 - i;
      assert.ok(Math.abs(grid[i * n + j] - J(points, m, b)) < 1e-9, `cell ${i}, ${j}`);
    }
  }
});
