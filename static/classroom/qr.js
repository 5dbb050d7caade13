/**
 * A QR code for a short text (the room's join link), drawn on this page, asking no service:
 * byte mode, error correction L or M, versions 1 to 10 (up to 213 bytes at M), as ISO/IEC 18004.
 * Pure: encodeQr(text) -> {version, size, mask, modules}, modules[row * size + col] 1 for dark.
 */

// Per version 1..10 and level: [EC codewords per block, [blocks, data codewords per block]...].
const BLOCKS = {
  L: [null, [7, [1, 19]], [10, [1, 34]], [15, [1, 55]], [20, [1, 80]], [26, [1, 108]],
    [18, [2, 68]], [20, [2, 78]], [24, [2, 97]], [30, [2, 116]], [18, [2, 68], [2, 69]]],
  M: [null, [10, [1, 16]], [16, [1, 28]], [26, [1, 44]], [18, [2, 32]], [24, [2, 43]],
    [16, [4, 27]], [18, [4, 31]], [22, [2, 38], [2, 39]], [22, [3, 36], [2, 37]], [26, [4, 43], [1, 44]]],
};
const ALIGNMENT = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
const LEVEL_BITS = { L: 1, M: 0 };
export const MAX_VERSION = 10;

// Arithmetic in GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++, x = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1) {
  EXP[i] = x;
  LOG[x] = i;
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const times = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);

/** The `n` Reed-Solomon error correction codewords of `data` (the remainder of data * x^n by g). */
export function reedSolomon(data, n) {
  let generator = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array(generator.length + 1).fill(0);
    generator.forEach((g, j) => {
      next[j] ^= g;
      next[j + 1] ^= times(g, EXP[i]);
    });
    generator = next;
  }
  const rest = new Array(n).fill(0);
  for (const byte of data) {
    const factor = byte ^ rest.shift();
    rest.push(0);
    for (let j = 0; j < n; j++) rest[j] ^= times(generator[j + 1], factor);
  }
  return rest;
}

/** A BCH code: `value` followed by the remainder of value * x^(degree of poly) by `poly`. */
function bch(value, poly) {
  const degree = Math.floor(Math.log2(poly));
  let rest = value << degree;
  while (rest >= 1 << degree) rest ^= poly << (Math.floor(Math.log2(rest)) - degree);
  return (value << degree) | rest;
}

/** The 15 format bits for a level and mask, masked as the standard says. */
export function formatBits(level, mask) {
  return bch((LEVEL_BITS[level] << 3) | mask, 0x537) ^ 0x5412;
}

/** The 18 version bits (versions 7 and up). */
export function versionBits(version) {
  return bch(version, 0x1f25);
}

function capacity(version, level) {
  const [, ...groups] = BLOCKS[level][version];
  return groups.reduce((sum, [count, size]) => sum + count * size, 0);
}

/** The smallest version whose data codewords hold `length` bytes in byte mode. */
export function versionFor(length, level) {
  for (let v = 1; v <= MAX_VERSION; v++) {
    const header = 4 + (v < 10 ? 8 : 16);
    if (header + 8 * length <= 8 * capacity(v, level)) return v;
  }
  throw new RangeError(`a text of ${length} bytes is too long for a version ${MAX_VERSION} QR code`);
}

/** Mode, count, the bytes, terminator and padding: the data codewords. */
function dataCodewords(bytes, version, level) {
  const bits = [];
  const put = (value, n) => { for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const total = 8 * capacity(version, level);
  put(0, Math.min(4, total - bits.length));
  while (bits.length % 8) bits.push(0);
  const words = [];
  for (let i = 0; i < bits.length; i += 8) words.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0; words.length < total / 8; pad ^= 1) words.push(pad ? 0x11 : 0xec);
  return words;
}

/** Split into blocks, add each block's error correction, interleave. */
function codewords(data, version, level) {
  const [ecLength, ...groups] = BLOCKS[level][version];
  const blocks = [];
  let at = 0;
  for (const [count, size] of groups) {
    for (let i = 0; i < count; i++, at += size) blocks.push(data.slice(at, at + size));
  }
  const ec = blocks.map((block) => reedSolomon(block, ecLength));
  const out = [];
  const longest = Math.max(...blocks.map((b) => b.length));
  for (let i = 0; i < longest; i++) for (const b of blocks) if (i < b.length) out.push(b[i]);
  for (let i = 0; i < ecLength; i++) for (const e of ec) out.push(e[i]);
  return out;
}

/** The function patterns (finders, timing, alignment, reserved format and version areas). */
function functionPatterns(version) {
  const size = 17 + 4 * version;
  const modules = new Uint8Array(size * size);
  const reserved = new Uint8Array(size * size);
  const set = (r, c, dark) => { modules[r * size + c] = dark ? 1 : 0; reserved[r * size + c] = 1; };
  for (const [r0, c0] of [[0, 0], [0, size - 7], [size - 7, 0]]) {
    for (let r = -1; r <= 7; r++) {
      for (let c = -1; c <= 7; c++) {
        const [rr, cc] = [r0 + r, c0 + c];
        if (rr < 0 || cc < 0 || rr >= size || cc >= size) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        set(rr, cc, ring !== 2 && ring !== 4);
      }
    }
  }
  for (let i = 8; i < size - 8; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  const centres = ALIGNMENT[version];
  const last = centres[centres.length - 1];
  for (const r of centres) {
    for (const c of centres) {
      if ((r === 6 && (c === 6 || c === last)) || (r === last && c === 6)) continue; // a finder's corner
      for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
    }
  }
  // The format bits' places (written with the mask), beside the finders.
  for (let i = 0; i < 9; i++) {
    if (i !== 6) set(8, i, false);
    if (i !== 6) set(i, 8, false);
  }
  for (let i = 0; i < 8; i++) set(8, size - 1 - i, false);
  for (let i = 0; i < 7; i++) set(size - 1 - i, 8, false);
  set(size - 8, 8, true); // the dark module
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const dark = (bits >>> i) & 1;
      const [a, b] = [Math.floor(i / 3), size - 11 + (i % 3)];
      set(a, b, dark);
      set(b, a, dark);
    }
  }
  return { size, modules, reserved };
}

/** Data bits in the zigzag, two columns at a time from the bottom right, skipping column 6. */
function placeData(modules, reserved, size, words) {
  let i = 0;
  const total = words.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((size - 1 - right) >> 1) % 2 === 0;
    for (let k = 0; k < size; k++) {
      const r = upward ? size - 1 - k : k;
      for (const c of [right, right - 1]) {
        if (reserved[r * size + c]) continue;
        modules[r * size + c] = i < total ? (words[i >> 3] >>> (7 - (i & 7))) & 1 : 0;
        i++;
      }
    }
  }
}

const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

function applyMask(base, reserved, size, mask, level) {
  const modules = base.slice();
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) if (!reserved[r * size + c] && MASKS[mask](r, c)) modules[r * size + c] ^= 1;
  }
  const bits = formatBits(level, mask);
  for (let i = 0; i < 15; i++) {
    const dark = (bits >>> i) & 1;
    // Around the top left finder, and split between the other two.
    const [r1, c1] = i < 6 ? [i, 8] : i < 8 ? [i + 1, 8] : i === 8 ? [8, 7] : [8, 14 - i];
    const [r2, c2] = i < 8 ? [8, size - 1 - i] : [size - 15 + i, 8];
    modules[r1 * size + c1] = dark;
    modules[r2 * size + c2] = dark;
  }
  return modules;
}

// Rule 3's patterns inside the symbol: dark-light-dark x3-light-dark beside four light modules.
const FINDER_LIKE = [[1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1]];

/** The standard's penalty of a masked symbol (runs, blocks, finder-like patterns, balance): lower reads better. */
export function penalty(modules, size) {
  let score = 0;
  const at = (r, c) => modules[r * size + c];
  const line = (get) => {
    let run = 0;
    for (let i = 0; i < size; i++) {
      run = i > 0 && get(i) === get(i - 1) ? run + 1 : 1;
      if (run === 5) score += 3;
      else if (run > 5) score += 1;
    }
    for (let i = 0; i + 11 <= size; i++) {
      for (const pattern of FINDER_LIKE) if (pattern.every((v, k) => get(i + k) === v)) score += 40;
    }
  };
  for (let r = 0; r < size; r++) line((c) => at(r, c));
  for (let c = 0; c < size; c++) line((r) => at(r, c));
  let dark = 0;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      dark += at(r, c);
      if (r < size - 1 && c < size - 1) {
        const v = at(r, c);
        if (v === at(r, c + 1) && v === at(r + 1, c) && v === at(r + 1, c + 1)) score += 3;
      }
    }
  }
  score += 10 * Math.floor(Math.abs((dark * 20) / (size * size) - 10));
  return score;
}

/**
 * The QR code of `text` (UTF-8, byte mode). options.level "M" (15 % of it can be lost) or "L";
 * options.mask 0..7 to force one (tests), else the one of lowest penalty.
 */
export function encodeQr(text, { level = "M", mask = null, version = null } = {}) {
  if (!BLOCKS[level]) throw new RangeError(`level ${level}: L or M`);
  const bytes = new TextEncoder().encode(text);
  const v = version || versionFor(bytes.length, level);
  const { size, modules, reserved } = functionPatterns(v);
  placeData(modules, reserved, size, codewords(dataCodewords(bytes, v, level), v, level));
  const masks = mask === null ? [0, 1, 2, 3, 4, 5, 6, 7] : [mask];
  let best = null;
  for (const m of masks) {
    const masked = applyMask(modules, reserved, size, m, level);
    const score = masks.length > 1 ? penalty(masked, size) : 0;
    if (!best || score < best.score) best = { version: v, size, mask: m, modules: masked, score };
  }
  const { score, ...qr } = best;
  return qr;
}
