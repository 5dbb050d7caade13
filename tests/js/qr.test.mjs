// The join link's QR code: every module as a reference encoder draws it, and the standard's parts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { encodeQr, formatBits, penalty, reedSolomon, versionBits, versionFor } from "../../static/classroom/qr.js";

const { cases } = JSON.parse(readFileSync(new URL("./fixtures/qr-codes.json", import.meta.url)));
const rowsOf = (qr) => Array.from({ length: qr.size }, (_, r) => qr.modules.slice(r * qr.size, (r + 1) * qr.size).join(""));

test("each symbol is module for module python-qrcode's (versions 1, 3, 4 and 7; L and M)", () => {
  for (const c of cases) {
    const qr = encodeQr(c.text, { level: c.level, mask: c.mask });
    assert.equal(qr.version, c.version, c.text);
    assert.equal(qr.size, 17 + 4 * c.version);
    assert.deepEqual(rowsOf(qr), c.rows, `${c.text} at ${c.level}, mask ${c.mask}`);
  }
});

test("Reed-Solomon: the standard's worked example (HELLO WORLD, version 1-M)", () => {
  const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
  assert.deepEqual(reedSolomon(data, 10), [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
});

test("format and version bits as the standard's tables give them", () => {
  assert.equal(formatBits("M", 0).toString(2).padStart(15, "0"), "101010000010010");
  assert.equal(formatBits("L", 4).toString(2).padStart(15, "0"), "110011000101111");
  assert.equal(versionBits(7).toString(2).padStart(18, "0"), "000111110010010100");
  assert.equal(versionBits(10).toString(2).padStart(18, "0"), "001010010011010011");
});

test("the penalty of a symbol is python-qrcode's lost_point", () => {
  for (const c of cases) {
    const modules = Uint8Array.from(c.rows.join(""), Number);
    assert.equal(penalty(modules, c.rows.length), c.penalty, c.text);
  }
});

test("without a forced mask, the mask of lowest penalty", () => {
  const text = "http://127.0.0.1:8125/classroom/join?code=ABC123";
  const chosen = encodeQr(text);
  const scores = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => {
    const qr = encodeQr(text, { mask });
    return penalty(qr.modules, qr.size);
  });
  assert.equal(penalty(chosen.modules, chosen.size), Math.min(...scores));
  assert.equal(chosen.mask, scores.indexOf(Math.min(...scores)));
});

test("the smallest version that holds the text; too long a text says so", () => {
  assert.equal(versionFor(14, "M"), 1);
  assert.equal(versionFor(15, "M"), 2);
  assert.equal(versionFor(62, "M"), 4);
  assert.equal(versionFor(63, "M"), 5);
  assert.equal(versionFor(213, "M"), 10);
  assert.throws(() => versionFor(214, "M"), /too long/);
  assert.throws(() => encodeQr("x", { level: "H" }), /L or M/);
});
