/** The diagram's geometry and its keyboard order, and one name for each node. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { describeNode, describeParameter, nodeName } from "../../static/js/node-names.js";
import { geometry, keyColumns, linkWidth, moveFocus, scaledSizes, SIZES } from "../../static/js/views/network-layout.js";

test("columns keep their distance: a narrow panel gets a wider diagram, which scrolls", () => {
  const s = SIZES.normal;
  const small = geometry([2, 4, 2, 1], 7, 350, s);
  assert.equal(small.width, 350);
  const big = geometry([7, 8, 8, 8, 8, 8, 8, 1], 7, 350, s);
  assert.ok(big.width > 350);
  for (let c = 0; c < 7; c++) assert.ok(big.colX(c + 1) - big.colX(c) >= s.column);
  assert.equal(big.height, s.top + 8 * s.row);
});

test("the projector's diagram grows to fill the height, at most twice", () => {
  const base = SIZES.projector;
  assert.equal(scaledSizes(base, 7, 0), base);
  assert.equal(scaledSizes(base, 7, 100), base);
  const grown = scaledSizes(base, 7, (base.top + 7 * base.row) * 1.5);
  assert.equal(grown.node, Math.round(base.node * 1.5));
  assert.equal(scaledSizes(base, 7, 1e6).row, base.row * 2);
});

test("link widths as the original", () => {
  assert.equal(linkWidth(0), 1);
  assert.equal(linkWidth(5), 10);
  assert.equal(linkWidth(-50), 10);
  assert.equal(linkWidth(NaN), 1);
});

test("the keyboard walks features, then each neuron with its bias and incoming weights", () => {
  const columns = keyColumns([2, 3, 1], 7);
  assert.equal(columns.length, 3);
  assert.equal(columns[0].length, 7);
  assert.deepEqual(columns[1].slice(0, 4).map((i) => i.kind), ["neuron", "bias", "weight", "weight"]);
  assert.equal(columns[1].length, 3 * 4);
  assert.equal(columns[2].length, 1 * 5);
  assert.deepEqual(moveFocus(columns, [1, 0], "ArrowDown"), [1, 1]);
  assert.deepEqual(moveFocus(columns, [1, 0], "ArrowUp"), [1, 0]);
  assert.deepEqual(moveFocus(columns, [1, 5], "End"), [1, 11]);
  assert.deepEqual(moveFocus(columns, [1, 5], "Home"), [1, 0]);
  assert.deepEqual(moveFocus(columns, [1, 5], "PageDown"), [1, 8]); // neuron 3
  assert.deepEqual(moveFocus(columns, [1, 5], "PageUp"), [1, 4]); // back to neuron 2 itself
  assert.deepEqual(moveFocus(columns, [1, 4], "PageUp"), [1, 0]);
  // Left and right keep the neuron's number where the next layer has it, else its last neuron.
  assert.deepEqual(moveFocus(columns, [1, 6], "ArrowLeft"), [0, 1]);
  assert.deepEqual(moveFocus(columns, [0, 6], "ArrowRight"), [1, 8]);
  assert.deepEqual(moveFocus(columns, [1, 8], "ArrowRight"), [2, 0]);
  assert.deepEqual(moveFocus(columns, [2, 0], "ArrowRight"), [2, 0]);
  assert.equal(moveFocus(columns, [0, 0], "x"), null);
});

test("one name for each node: X1, X2, H1,1, out; weights and biases by their nodes", () => {
  const layers = [2, 4, 2, 1];
  const inputs = ["x", "y"];
  assert.equal(nodeName(0, 0, layers, inputs).text, "X1");
  assert.equal(nodeName(0, 1, layers, ["x", "xSquared"]).text, "X1²");
  assert.equal(nodeName(0, 1, layers, ["x", "xSquared"]).html, "X<sub>1</sub><sup>2</sup>");
  assert.equal(nodeName(2, 1, layers, inputs).text, "H2,2");
  assert.equal(nodeName(3, 0, layers, inputs).text, "out");
  assert.equal(describeNode(1, 2, layers, inputs), "H1,3, neuron 3 of hidden layer 1");
  assert.equal(describeParameter({ layer: 0, to: 0, from: 1 }, layers, inputs), "weight from X2 to H1,1");
  assert.equal(describeParameter({ layer: 2, to: 0, bias: true }, layers, inputs), "bias of out");
});
