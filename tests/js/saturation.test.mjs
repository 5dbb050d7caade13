/** A saturated network told from its frames: pinned output, high flat loss, still weights. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { pinnedShare, watchSaturation } from "../../static/js/saturation.js";

const pinned = new Uint8Array(100).fill(254);
const mixed = Uint8Array.from({ length: 100 }, (_, i) => (i < 90 ? 254 : 127));
const frame = (epoch, { loss = 0.99, w = 5, diverged = false } = {}) => ({
  epoch, trainLoss: loss, diverged, weights: [Float64Array.of(w, -3)], biases: [Float64Array.of(0.1)],
});

function run(frames, output = pinned, classification = true) {
  let state = null;
  for (const f of frames) state = watchSaturation(state, f, output, classification);
  return state;
}

test("the share of cells pinned at ±1", () => {
  assert.equal(pinnedShare(pinned), 1);
  assert.equal(pinnedShare(mixed), 0.9);
  assert.equal(pinnedShare(Uint8Array.of(0, 1, 2, 3)), 0.75);
  assert.equal(pinnedShare(Uint8Array.of(255, 255)), 0);
});

test("pinned, high and flat loss, still weights for 100 epochs: saturated", () => {
  const frames = [0, 30, 60, 90, 120].map((e) => frame(e, { w: 5 + e * 1e-5 }));
  assert.equal(run(frames.slice(0, 4)).saturated, false);
  assert.equal(run(frames).saturated, true);
});

test("anything that says otherwise starts the count again or stops it", () => {
  const long = (opts) => [0, 60, 120].map((e) => frame(e, opts));
  assert.equal(run(long({ loss: 0.05 })), null, "a classifier that is right is pinned too");
  assert.equal(run(long({}), mixed), null, "an output that is not pinned");
  assert.equal(run(long({}), pinned, false), null, "regression outputs are not squashed");
  assert.equal(run(long({ diverged: true })), null);
  const moving = [0, 60, 120].map((e) => frame(e, { w: 5 + e }));
  assert.equal(run(moving).saturated, false, "weights that move");
  const learning = [0, 60, 120].map((e) => frame(e, { loss: 0.9 - e / 1000 }));
  assert.equal(run(learning).saturated, false, "a loss that falls");
  const reset = [frame(0), frame(120), frame(0), frame(60)];
  assert.equal(run(reset).saturated, false, "a reset starts again");
});
