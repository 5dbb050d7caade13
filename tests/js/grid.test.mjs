// The grid painter's pure side: values to bytes, bytes to pixels, bands, points on the picture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { byteLut, colorFor, overWhite, PALETTES } from "../../static/js/colors.js";
import {
  bandBytes, paintBytes, paletteLut, plotPoints, quantize, sampleGrid, tableLut,
} from "../../static/js/grid.js";

const unpack = (u) => [u & 255, (u >>> 8) & 255, (u >>> 16) & 255, u >>> 24];

test("values quantise as the server's frames do: -1..1 to 0..254, not finite to 255", () => {
  assert.equal(quantize(-1), 0);
  assert.equal(quantize(0), 127);
  assert.equal(quantize(1), 254);
  assert.equal(quantize(7), 254, "clamped");
  assert.equal(quantize(0.5), Math.round(1.5 * 127));
  assert.equal(quantize(NaN), 255);
  assert.equal(quantize(-Infinity), 255);
});

test("a sampled grid has row 0 at y = +6 and column 0 at x = -6", () => {
  const y = sampleGrid((x, yy) => yy / 6, 3);
  assert.deepEqual(Array.from(y), [254, 254, 254, 127, 127, 127, 0, 0, 0]);
  const x = sampleGrid((xx) => xx / 6, 3);
  assert.deepEqual(Array.from(x), [0, 127, 254, 0, 127, 254, 0, 127, 254]);
});

test("each palette and discretize pair has one shared lookup table", () => {
  assert.equal(paletteLut(PALETTES.default), paletteLut(PALETTES.default, false));
  assert.deepEqual(paletteLut(PALETTES.colorblind, true), byteLut(PALETTES.colorblind, true));
  assert.notEqual(paletteLut(PALETTES.default), paletteLut(PALETTES.colorblind));
});

test("painting maps every byte through the table: the colour-blind palette and discretize show", () => {
  const bytes = new Uint8Array([0, 100, 127, 200, 254, 255]);
  const plain = paintBytes(new Uint32Array(6), bytes, paletteLut(PALETTES.default));
  assert.deepEqual(unpack(plain[4]), [...overWhite(colorFor(1)), 255]);
  assert.deepEqual(unpack(plain[5]), [160, 160, 160, 255], "not finite is grey");
  const blind = paintBytes(new Uint32Array(6), bytes, paletteLut(PALETTES.colorblind));
  assert.deepEqual(unpack(blind[0]), [...overWhite(colorFor(-1, PALETTES.colorblind)), 255]);
  assert.notEqual(blind[0], plain[0]);
  const two = paintBytes(new Uint32Array(6), bytes, paletteLut(PALETTES.default, true));
  assert.equal(new Set(Array.from(two.subarray(0, 5))).size, 2, "discretized: two colours");
  assert.equal(two[1], two[0]);
  assert.equal(two[2], two[4], "0 counts as +1");
});

test("contour bands count the levels a value exceeds, and a table colours them", () => {
  assert.deepEqual(Array.from(bandBytes([0, 1.5, 2, 9], [1, 2, 3])), [0, 1, 1, 3]);
  const lut = tableLut([[0, 0, 0], [10, 20, 30]]);
  assert.deepEqual(unpack(lut[1]), [10, 20, 30, 255]);
  assert.equal(lut[200], lut[1], "bytes past the list take the last colour");
});

test("points land on the picture the right way up; points off the domain are left out", () => {
  const points = [[-6, 6, 1], [0, 0, -1], [6, -6, 1], [7, 0, 1], [0, -6.5, -1]];
  assert.deepEqual(plotPoints(points, 120), [[0, 0, 1], [60, 60, -1], [120, 120, 1]]);
});
