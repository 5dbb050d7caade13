// The 31-shade palette: ends, midpoint, shade boundaries and the byte lookup table.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  colorFor, shadeIndex, shadeValue, shades, byteLut, byteValue, overWhite, PALETTES, NUM_SHADES,
} from "../../static/js/colors.js";

test("the scale runs orange - grey - blue", () => {
  assert.deepEqual(colorFor(-1), [0xf5, 0x93, 0x22]);
  assert.deepEqual(colorFor(0), [0xe8, 0xea, 0xeb]);
  assert.deepEqual(colorFor(1), [0x08, 0x77, 0xbd]);
  assert.deepEqual(colorFor(5), colorFor(1), "clamped");
  assert.deepEqual(colorFor(-0.5), [239, 191, 135]);
  assert.deepEqual(colorFor(NaN), [160, 160, 160]);
});

test("31 shades with the original's index rule", () => {
  assert.equal(NUM_SHADES, 31);
  assert.equal(shades().length, 31);
  assert.equal(shadeIndex(-1), 0);
  assert.equal(shadeIndex(1), 30);
  assert.equal(shadeIndex(0), 15);
  assert.equal(shadeIndex(-1 + 2 / 31 - 1e-9), 0);
  assert.equal(shadeIndex(-1 + 2 / 31 + 1e-9), 1);
  assert.equal(shadeValue(0), -1);
  assert.equal(shadeValue(15), 0);
  assert.equal(shadeValue(30), 1);
});

test("grid bytes decode as the protocol says; 255 is not finite", () => {
  assert.equal(byteValue(0), -1);
  assert.equal(byteValue(127), 0);
  assert.equal(byteValue(254), 1);
  assert.ok(Number.isNaN(byteValue(255)));
});

test("the lookup table packs RGBA little-endian, alpha-blended over white", () => {
  const lut = byteLut();
  const unpack = (u) => [u & 255, (u >>> 8) & 255, (u >>> 16) & 255, u >>> 24];
  assert.deepEqual(unpack(lut[254]), [...overWhite([0x08, 0x77, 0xbd]), 255]);
  assert.deepEqual(unpack(lut[0]), [...overWhite([0xf5, 0x93, 0x22]), 255]);
  assert.deepEqual(unpack(lut[255]), [160, 160, 160, 255]);
  const distinct = new Set(Array.from(lut.subarray(0, 255)));
  assert.equal(distinct.size, 31, "exactly 31 shades among finite bytes");
});

test("discretize maps every finite value to one of the two ends", () => {
  const lut = byteLut(PALETTES.default, true);
  assert.equal(lut[130], lut[254]);
  assert.equal(lut[100], lut[0]);
  assert.equal(lut[127], lut[254], "0 counts as +1");
});

test("the colour-blind palette's ends differ in lightness, not only in hue", () => {
  const lum = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const [lo, hi] = [colorFor(-1, PALETTES.colorblind), colorFor(1, PALETTES.colorblind)];
  assert.ok(lum(lo) - lum(hi) > 60, `${lum(lo)} vs ${lum(hi)}`);
});
