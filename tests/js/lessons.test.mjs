/** Pure lesson modules: number formats, contour lines, gradient-descent modes. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { geometricLevels, isoLines } from "../../static/lessons/contour.js";
import { exact, formula, rounded, sci } from "../../static/lessons/format.js";
import { batchSizeFor, gdModeOf } from "../../static/js/state.js";
import { FORMULAS, formulaParts, MEANINGS, MODES } from "../../static/lessons/gd-modes.js";

test("numbers print the lecture's way", () => {
  assert.equal(sci(5.5401e-4), "5.5401e-04");
  assert.equal(exact(0.5932699921), "0.5932700");
  assert.equal(exact(0.000554007), "5.5401e-04");
  assert.equal(rounded(0.1718965), "0.1719");
});

test("formula text becomes sub- and superscripts, escaped", () => {
  assert.equal(formula("out_o1 < 1"), "out<sub>o1</sub> &lt; 1");
  assert.equal(formula("e^(−x) θ_(j+1)"), "e<sup>−x</sup> θ<sub>j+1</sub>");
});

test("gradient-descent modes map to batch sizes, each with the lecture's formula", () => {
  assert.equal(batchSizeFor("batch", 10, 250, 2000), 250);
  assert.equal(batchSizeFor("stochastic", 10, 250, 2000), 1);
  assert.equal(batchSizeFor("mini-batch", 10, 250, 2000), 10);
  for (const mode of MODES) {
    assert.equal(gdModeOf(batchSizeFor(mode, 10, 250, 2000), 250), mode);
    assert.match(FORMULAS[mode], /α/);
    assert.match(MEANINGS[mode], new RegExp(mode === "batch" ? "every" : mode === "stochastic" ? "one" : "b training"));
  }
  assert.match(FORMULAS["mini-batch"], /i:i\+b/);
});

test("iso-lines cross a cone where it meets the level", () => {
  const n = 21;
  const values = [];
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < n; j += 1) values.push(Math.hypot(i - 10, j - 10));
  }
  const segments = isoLines(values, n, n, 5);
  assert.ok(segments.length > 20);
  for (const [x1, y1] of segments) assert.ok(Math.abs(Math.hypot(x1 - 10, y1 - 10) - 5) < 0.2);
  assert.deepEqual(isoLines(values, n, n, 100), []);
});

test("geometric levels rise from the floor to the grid's top", () => {
  const levels = geometricLevels([1, 2, 1001], 1, 4);
  assert.equal(levels.length, 4);
  assert.ok(Math.abs(levels[3] - 1001) < 1e-9);
  assert.ok(levels[0] > 1 && levels[0] < 2.1);
});

test("a formula breaks between its terms, never inside one", () => {
  assert.deepEqual(formulaParts(FORMULAS["mini-batch"]), ["θ_(j+1) ← θ_j", "− α ∂J(x^(i:i+b),", "y^(i:i+b); θ)/∂θ_j"]);
  for (const mode of MODES) assert.equal(formulaParts(FORMULAS[mode]).join(" ").replace(/,\s/g, ", "), FORMULAS[mode]);
});
