// The binary frame decoder against a buffer built by hand from docs/protocol.md's table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { decodeFrame, thumbOf, formatEpoch, formatLoss, unpackFrame, restoreImage } from "../../static/js/frame.js";

/** Build a frame byte by byte for layers [2, 3, 1], 2 history points, G = 4, T = 2. */
function buildFrame({ flags = 2, magic = "NNPF" } = {}) {
  const layers = [2, 3, 1];
  const G = 4;
  const T = 2;
  const history = [[7, 0.5, 0.6], [8, 0.25, 0.375]];
  const nW = [6, 3];
  const bytes = [];
  const dv = (n, write) => {
    const b = new DataView(new ArrayBuffer(n));
    write(b);
    bytes.push(...new Uint8Array(b.buffer));
  };
  const u8 = (v) => bytes.push(v);
  const u16 = (v) => dv(2, (b) => b.setUint16(0, v, true));
  const u32 = (v) => dv(4, (b) => b.setUint32(0, v, true));
  const i32 = (v) => dv(4, (b) => b.setInt32(0, v, true));
  const f32 = (v) => dv(4, (b) => b.setFloat32(0, v, true));
  const f64 = (v) => dv(8, (b) => b.setFloat64(0, v, true));
  const pad = () => { while (bytes.length % 4) bytes.push(0); };
  for (const c of magic) u8(c.charCodeAt(0));
  u8(1); u8(flags); u16(layers.length); u32(42); u32(8); f64(0.25); f64(0.375);
  u16(G); u16(T); i32(-1); u32(history.length);
  layers.forEach(u16);
  pad();
  for (const [e, a, b] of history) { u32(e); f32(a); f32(b); }
  for (let l = 0; l < 2; l++) for (let i = 0; i < nW[l]; i++) f64((l + 1) * 0.5 + i);
  [0.1, 0.2, 0.3].forEach(f64);
  f64(-0.75);
  for (let l = 0; l < 2; l++) for (let i = 0; i < nW[l]; i++) u8(l === 0 && i === 4 ? 1 : 0);
  pad();
  for (let i = 0; i < G * G; i++) u8(i * 10);
  for (let k = 0; k < 6; k++) for (let i = 0; i < T * T; i++) u8(k * 4 + i);
  return new Uint8Array(bytes).buffer;
}

test("decodes every field of a hand-built frame", () => {
  const f = decodeFrame(buildFrame());
  assert.equal(f.seq, 42);
  assert.equal(f.epoch, 8);
  assert.equal(f.playing, true);
  assert.equal(f.diverged, false);
  assert.equal(f.trainLoss, 0.25);
  assert.equal(f.testLoss, 0.375);
  assert.equal(f.gridSize, 4);
  assert.equal(f.thumbSize, 2);
  assert.equal(f.focus, -1);
  assert.deepEqual(f.layers, [2, 3, 1]);
  assert.deepEqual(Array.from(f.history.epoch), [7, 8]);
  assert.deepEqual(Array.from(f.history.train), [0.5, 0.25]);
  assert.deepEqual(Array.from(f.history.test), [0.6000000238418579, 0.375]);
  assert.deepEqual(Array.from(f.weights[0]), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
  assert.deepEqual(Array.from(f.weights[1]), [1, 2, 3]);
  assert.equal(f.biases[0].length, 3);
  assert.ok(Math.abs(f.biases[0][1] - 0.2) < 1e-7);
  assert.deepEqual(Array.from(f.biases[1]), [-0.75]);
  assert.deepEqual(Array.from(f.dead[0]), [0, 0, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(f.dead[1]), [0, 0, 0]);
  assert.equal(f.grid.length, 16);
  assert.equal(f.grid[15], 150);
  assert.deepEqual(Array.from(thumbOf(f, 5)), [20, 21, 22, 23]);
});

test("flags: bit 0 diverged, bit 1 playing", () => {
  const f = decodeFrame(buildFrame({ flags: 1 }));
  assert.equal(f.diverged, true);
  assert.equal(f.playing, false);
});

test("a wrong magic or a short buffer is an error naming the problem", () => {
  assert.throws(() => decodeFrame(buildFrame({ magic: "XXXX" })), /magic/);
  assert.throws(() => decodeFrame(new ArrayBuffer(10)), /too short/);
  assert.throws(() => decodeFrame(buildFrame().slice(0, 150)), /layout needs/);
});

test("the epoch counter and loss readouts use the original's formats", () => {
  assert.equal(formatEpoch(1519), "001,519");
  assert.equal(formatEpoch(0), "000,000");
  assert.equal(formatEpoch(1234567), "1,234,567");
  assert.equal(formatLoss(0.0012), "0.001");
  assert.equal(formatLoss(NaN), "—");
});

/** The gradient predictor's residuals of an n x n image (docs/protocol.md), written plainly. */
function residuals(image, n) {
  const at = (i, j) => image[i * n + j];
  return image.map((v, k) => {
    const i = Math.floor(k / n);
    const j = k % n;
    let guess = 0;
    if (i > 0 && j > 0) guess = at(i, j - 1) + at(i - 1, j) - at(i - 1, j - 1);
    else if (j > 0) guess = at(i, j - 1);
    else if (i > 0) guess = at(i - 1, j);
    return (v - guess + 512) & 255;
  });
}

/** The hand-built frame with its pictures packed as the server packs them (flag bit 3). */
function packFrame(plain, { G = 4, T = 2, nodes = 6 } = {}) {
  const bytes = new Uint8Array(plain);
  const off = bytes.length - (G * G + nodes * T * T);
  const images = [residuals(bytes.slice(off, off + G * G), G)];
  for (let k = 0; k < nodes; k++) {
    const start = off + G * G + k * T * T;
    images.push(residuals(bytes.slice(start, start + T * T), T));
  }
  const packed = deflateSync(Buffer.concat(images.map((a) => Buffer.from(a))));
  const out = new Uint8Array(off + 4 + packed.length);
  out.set(bytes.subarray(0, off));
  out[5] |= 8;
  new DataView(out.buffer).setUint32(off, packed.length, true);
  out.set(packed, off + 4);
  return out.buffer;
}

test("a packed frame decodes to exactly the unpacked one", async () => {
  const plain = buildFrame();
  const packed = packFrame(plain);
  assert.ok(packed.byteLength < plain.byteLength + 20);
  const a = decodeFrame(plain);
  const b = decodeFrame(await unpackFrame(packed));
  assert.deepEqual(Array.from(b.grid), Array.from(a.grid));
  assert.deepEqual(Array.from(b.thumbs), Array.from(a.thumbs));
  assert.deepEqual(Array.from(b.weights[0]), Array.from(a.weights[0]));
  assert.equal(b.playing, true);
  assert.equal(await unpackFrame(plain), plain); // an unpacked frame passes through
});

/** The frame with its loss history packed as the server packs it (flag bit 4), written anew
 * from docs/protocol.md: each column's differences mod 2^32, four byte planes each, deflated. */
function packHistory(buffer) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const H = view.getUint32(40, true);
  const off = (44 + 2 * view.getUint16(6, true) + 3) & ~3;
  const planes = new Uint8Array(12 * H);
  for (let c = 0; c < 3; c++) {
    let before = 0;
    for (let i = 0; i < H; i++) {
      const value = view.getUint32(off + 12 * i + 4 * c, true);
      const step = (value - before) >>> 0;
      before = value;
      for (let p = 0; p < 4; p++) planes[(4 * c + p) * H + i] = (step >>> (8 * p)) & 255;
    }
  }
  const packed = deflateSync(planes);
  const section = (4 + packed.length + 3) & ~3;
  const out = new Uint8Array(off + section + bytes.length - off - 12 * H);
  out.set(bytes.subarray(0, off));
  new DataView(out.buffer).setUint32(off, packed.length, true);
  out.set(packed, off + 4);
  out.set(bytes.subarray(off + 12 * H), off + section);
  out[5] |= 16;
  return out.buffer;
}

test("a frame with its history packed unpacks to exactly the plain bytes", async () => {
  const plain = buildFrame(); // its test loss goes down: a step that wraps around mod 2^32
  const unpacked = await unpackFrame(packHistory(plain));
  assert.deepEqual(new Uint8Array(unpacked), new Uint8Array(plain));
  const both = decodeFrame(await unpackFrame(packHistory(packFrame(plain))));
  const a = decodeFrame(plain);
  assert.deepEqual(Array.from(both.history.epoch), [7, 8]);
  assert.deepEqual(Array.from(both.history.test), Array.from(a.history.test));
  assert.deepEqual(Array.from(both.grid), Array.from(a.grid));
  assert.throws(() => decodeFrame(packHistory(plain)), /history is packed/);
});

test("a damaged packed history is an error, not a wrong curve", async () => {
  const packed = new Uint8Array(packHistory(buildFrame()));
  await assert.rejects(unpackFrame(packed.slice(0, 60).buffer), /cut short|missing/);
  const wrongCount = packed.slice();
  new DataView(wrongCount.buffer).setUint32(40, 3, true);
  await assert.rejects(unpackFrame(wrongCount.buffer), /3 points need 36/);
});

test("a damaged packed frame is an error, not a wrong picture", async () => {
  const packed = new Uint8Array(packFrame(buildFrame()));
  await assert.rejects(unpackFrame(packed.slice(0, packed.length - 3).buffer), /cut short/);
  const garbled = packed.slice();
  garbled[garbled.length - 5] ^= 0xff;
  await assert.rejects(unpackFrame(garbled.buffer));
});

test("restoring residuals gives back any image, wrap-around included", () => {
  for (const n of [1, 2, 5, 13]) {
    const image = Array.from({ length: n * n }, (_, k) => (k * 97 + (k % 7) * 31) & 255);
    const bytes = Uint8Array.from(residuals(image, n));
    restoreImage(bytes, n);
    assert.deepEqual(Array.from(bytes), image);
  }
});
