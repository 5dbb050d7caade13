/** Decode the server's binary frame (docs/protocol.md, version 1) into typed arrays. */

export const MAGIC = "NNPF";
export const VERSION = 1;
export const FLAG_PACKED = 8;
export const FLAG_HISTORY = 16;
const HEADER_BYTES = 44;

const pad4 = (n) => (n + 3) & ~3;

/**
 * ArrayBuffer -> {seq, epoch, diverged, playing, trainLoss, testLoss, gridSize, thumbSize, focus,
 * layers, history: {epoch, train, test}, weights[l], biases[l], dead[l], grid, thumbs, metrics}.
 * weights[l] is a Float64Array of n_(l+1) * n_l, row-major [to][from]; thumbs holds every node's
 * T x T grid back to back. Throws an Error naming what is wrong with a malformed buffer.
 */
export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < HEADER_BYTES) throw new Error(`frame: ${buffer.byteLength} bytes is too short`);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  if (magic !== MAGIC) throw new Error(`frame: magic ${JSON.stringify(magic)}, expected NNPF`);
  const version = view.getUint8(4);
  if (version !== VERSION) throw new Error(`frame: protocol ${version}, expected ${VERSION}`);
  const flags = view.getUint8(5);
  if (flags & FLAG_HISTORY) throw new Error("frame: its loss history is packed (unpackFrame reads it)");
  const nLayers = view.getUint16(6, true);
  const frame = {
    seq: view.getUint32(8, true),
    epoch: view.getUint32(12, true),
    diverged: (flags & 1) !== 0,
    playing: (flags & 2) !== 0,
    trainLoss: view.getFloat64(16, true),
    testLoss: view.getFloat64(24, true),
    gridSize: view.getUint16(32, true),
    thumbSize: view.getUint16(34, true),
    focus: view.getInt32(36, true),
  };
  const nHistory = view.getUint32(40, true);
  let off = HEADER_BYTES;
  const layers = [];
  for (let i = 0; i < nLayers; i++, off += 2) layers.push(view.getUint16(off, true));
  frame.layers = layers;
  off = pad4(off);
  const nParams = layers.slice(1).reduce((sum, n, l) => sum + n * (layers[l] + 1), 0);
  const nLinks = layers.slice(1).reduce((sum, n, l) => sum + n * layers[l], 0);
  const paramsEnd = off + 12 * nHistory + 8 * nParams + nLinks;
  if (paramsEnd > buffer.byteLength) {
    throw new Error(`frame: ${buffer.byteLength} bytes, the layout needs at least ${paramsEnd}`);
  }

  const history = { epoch: new Uint32Array(nHistory), train: new Float32Array(nHistory), test: new Float32Array(nHistory) };
  for (let i = 0; i < nHistory; i++, off += 12) {
    history.epoch[i] = view.getUint32(off, true);
    history.train[i] = view.getFloat32(off + 4, true);
    history.test[i] = view.getFloat32(off + 8, true);
  }
  frame.history = history;

  const doubles = (count) => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++, off += 8) out[i] = view.getFloat64(off, true);
    return out;
  };
  frame.weights = [];
  frame.biases = [];
  frame.dead = [];
  for (let l = 0; l + 1 < nLayers; l++) frame.weights.push(doubles(layers[l + 1] * layers[l]));
  for (let l = 0; l + 1 < nLayers; l++) frame.biases.push(doubles(layers[l + 1]));
  for (let l = 0; l + 1 < nLayers; l++) {
    const count = layers[l + 1] * layers[l];
    frame.dead.push(new Uint8Array(buffer.slice(off, off + count)));
    off += count;
  }
  off = pad4(off);

  const gridBytes = frame.gridSize * frame.gridSize;
  const nNodes = layers.reduce((a, b) => a + b, 0);
  const thumbBytes = nNodes * frame.thumbSize * frame.thumbSize;
  if (off + gridBytes + thumbBytes > buffer.byteLength) {
    throw new Error(`frame: ${buffer.byteLength} bytes, the layout needs ${off + gridBytes + thumbBytes}`);
  }
  frame.grid = new Uint8Array(buffer, off, gridBytes);
  frame.thumbs = new Uint8Array(buffer, off + gridBytes, thumbBytes);
  frame.metrics = (flags & 4) !== 0 ? decodeMetrics(buffer, view, pad4(off + gridBytes + thumbBytes)) : null;
  return frame;
}

/** Where a frame's pictures begin: after the header, layers, history, parameters and masks. */
function picturesOffset(view) {
  const nLayers = view.getUint16(6, true);
  const layers = [];
  for (let i = 0; i < nLayers; i++) layers.push(view.getUint16(HEADER_BYTES + 2 * i, true));
  const nParams = layers.slice(1).reduce((sum, n, l) => sum + n * (layers[l] + 1), 0);
  const nLinks = layers.slice(1).reduce((sum, n, l) => sum + n * layers[l], 0);
  const nHistory = view.getUint32(40, true);
  const off = pad4(HEADER_BYTES + 2 * nLayers) + 12 * nHistory + 8 * nParams + nLinks;
  return { off: pad4(off), nodes: layers.reduce((a, b) => a + b, 0) };
}

/** Undo the gradient predictor (docs/protocol.md) on an n x n image in place. */
export function restoreImage(bytes, n) {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      let guess = 0;
      if (i > 0 && j > 0) guess = bytes[k - 1] + bytes[k - n] - bytes[k - n - 1];
      else if (j > 0) guess = bytes[k - 1];
      else if (i > 0) guess = bytes[k - n];
      bytes[k] = (bytes[k] + guess) & 255;
    }
  }
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A frame as `decodeFrame` reads it: a packed one (flag bit 3, and bit 4 for its loss history)
 * with its history and pictures inflated and restored, the same bytes the server would have sent
 * unpacked; any other frame as it is.
 */
export async function unpackFrame(buffer) {
  if (buffer.byteLength < HEADER_BYTES) return buffer;
  if (new DataView(buffer).getUint8(5) & FLAG_HISTORY) buffer = await unpackHistory(buffer);
  const view = new DataView(buffer);
  if ((view.getUint8(5) & FLAG_PACKED) === 0) return buffer;
  const { off, nodes } = picturesOffset(view);
  if (off + 4 > buffer.byteLength) throw new Error(`frame: ${buffer.byteLength} bytes, packed pictures missing`);
  const size = view.getUint32(off, true);
  if (off + 4 + size > buffer.byteLength) throw new Error(`frame: packed pictures cut short (${size} bytes announced)`);
  const G = view.getUint16(32, true);
  const T = view.getUint16(34, true);
  const pictures = await inflate(new Uint8Array(buffer, off + 4, size));
  if (pictures.length !== G * G + nodes * T * T) {
    throw new Error(`frame: packed pictures hold ${pictures.length} bytes, the layout needs ${G * G + nodes * T * T}`);
  }
  restoreImage(pictures.subarray(0, G * G), G);
  for (let k = 0; k < nodes; k++) restoreImage(pictures.subarray(G * G + k * T * T, G * G + (k + 1) * T * T), T);
  const rest = new Uint8Array(buffer, Math.min(pad4(off + 4 + size), buffer.byteLength));
  const out = new Uint8Array(off + pad4(pictures.length) + rest.length);
  out.set(new Uint8Array(buffer, 0, off));
  out.set(pictures, off);
  out.set(rest, off + pad4(pictures.length));
  out[5] &= ~FLAG_PACKED;
  return out.buffer;
}

/**
 * The frame with its packed loss history (flag bit 4) as plain rows: the zlib stream holds each
 * column's (epoch, train loss bits, test loss bits) differences from the row above, mod 2^32, as
 * four byte planes each, low byte first (docs/protocol.md).
 */
async function unpackHistory(buffer) {
  const view = new DataView(buffer);
  const H = view.getUint32(40, true);
  const off = pad4(HEADER_BYTES + 2 * view.getUint16(6, true));
  if (off + 4 > buffer.byteLength) throw new Error(`frame: ${buffer.byteLength} bytes, packed history missing`);
  const size = view.getUint32(off, true);
  if (off + 4 + size > buffer.byteLength) throw new Error(`frame: packed history cut short (${size} bytes announced)`);
  const planes = await inflate(new Uint8Array(buffer, off + 4, size));
  if (planes.length !== 12 * H) throw new Error(`frame: packed history holds ${planes.length} bytes, ${H} points need ${12 * H}`);
  const rows = new DataView(new ArrayBuffer(12 * H));
  for (let c = 0; c < 3; c++) {
    let value = 0;
    for (let i = 0; i < H; i++) {
      const k = 4 * c * H + i;
      const step = planes[k] | (planes[k + H] << 8) | (planes[k + 2 * H] << 16) | (planes[k + 3 * H] << 24);
      value = (value + step) >>> 0;
      rows.setUint32(12 * i + 4 * c, value, true);
    }
  }
  const rest = new Uint8Array(buffer, Math.min(pad4(off + 4 + size), buffer.byteLength));
  const out = new Uint8Array(off + 12 * H + rest.length);
  out.set(new Uint8Array(buffer, 0, off));
  out.set(new Uint8Array(rows.buffer), off);
  out.set(rest, off + 12 * H);
  out[5] &= ~FLAG_HISTORY;
  return out.buffer;
}

/**
 * The metrics section (flag bit 2): {classes: K, confusion: [train, test] as K x K count rows
 * (rows = true class)} for classification, {r2: [train, test]} (NaN where undefined) for regression.
 */
function decodeMetrics(buffer, view, off) {
  if (off + 4 > buffer.byteLength) throw new Error("frame: the metrics section is missing");
  const kind = view.getUint8(off);
  const K = view.getUint8(off + 1);
  off += 4;
  if (kind === 2) return { r2: [view.getFloat64(off, true), view.getFloat64(off + 8, true)] };
  if (off + 8 * K * K > buffer.byteLength) throw new Error("frame: the confusion matrices are cut short");
  const matrix = () => Array.from({ length: K }, () => {
    const row = [];
    for (let j = 0; j < K; j++, off += 4) row.push(view.getUint32(off, true));
    return row;
  });
  return { classes: K, confusion: [matrix(), matrix()] };
}

/** The share of points on the diagonal of a confusion matrix (0..1), NaN without points. */
export function accuracyOf(matrix) {
  let right = 0;
  let all = 0;
  matrix.forEach((row, i) => row.forEach((n, j) => { all += n; if (i === j) right += n; }));
  return all ? right / all : NaN;
}

/** Node k's thumbnail (T x T bytes) inside a decoded frame. */
export function thumbOf(frame, k) {
  const size = frame.thumbSize * frame.thumbSize;
  return frame.thumbs.subarray(k * size, (k + 1) * size);
}

/** "1519" -> "001,519": the original's six-digit epoch counter. */
export function formatEpoch(epoch) {
  const digits = String(Math.max(0, Math.floor(epoch))).padStart(6, "0");
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A loss for the readouts: three decimals, as the original shows. */
export function formatLoss(loss) {
  return Number.isFinite(loss) ? loss.toFixed(3) : "—";
}
