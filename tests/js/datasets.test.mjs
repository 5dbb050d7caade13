// Thumbnail samples and the plane-to-pixel mapping (y = +6 at the top: the right way up).
import { test } from "node:test";
import assert from "node:assert/strict";
import { samplePoints, toPixel, DATASET_NAMES } from "../../static/js/datasets.js";
import { featureGrid, FEATURE_KEYS } from "../../static/js/features.js";

test("every dataset gives labelled points inside the domain, the same on every call", () => {
  for (const name of DATASET_NAMES) {
    const points = samplePoints(name, 60);
    assert.equal(points.length, 60, name);
    for (const [x, y, label] of points) {
      assert.ok(Math.abs(x) <= 6.5 && Math.abs(y) <= 6.5, `${name}: ${x}, ${y}`);
      assert.ok(Math.abs(label) <= 1.2, `${name}: label ${label}`);
    }
    assert.deepEqual(samplePoints(name, 60), points);
  }
  assert.throws(() => samplePoints("moons"), /moons/);
});

test("gauss puts its +1 cloud up and to the right", () => {
  const blue = samplePoints("gauss", 100).filter((p) => p[2] > 0);
  const meanY = blue.reduce((s, p) => s + p[1], 0) / blue.length;
  assert.ok(meanY > 1);
  const [, py] = toPixel(2, meanY, 100);
  assert.ok(py < 50, "positive y is drawn in the upper half");
});

test("toPixel maps the corners of [-6, 6]^2", () => {
  assert.deepEqual(toPixel(-6, 6, 100), [0, 0]);
  assert.deepEqual(toPixel(6, -6, 100), [100, 100]);
  assert.deepEqual(toPixel(0, 0, 30), [15, 15]);
});

test("feature grids: row 0 at y = +6, quantised like the server's frames", () => {
  assert.equal(FEATURE_KEYS.length, 7);
  const y = featureGrid("y", 5);
  assert.equal(y[0], 254, "top row is y = +6, clamped to +1");
  assert.equal(y[20], 0, "bottom row is y = -6");
  assert.equal(y[10], 127, "middle row is y = 0");
  const x = featureGrid("x", 5);
  assert.equal(x[0], 0);
  assert.equal(x[4], 254);
});
