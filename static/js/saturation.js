/**
 * A network stuck in saturation, told from its frames alone: a classifier whose output is pinned
 * at ±1 nearly everywhere, whose loss stays high and flat and whose weights barely move, epoch
 * after epoch. Lowering the learning rate cannot free it (its gradients are near zero): a reset can.
 */

export const LIMITS = {
  epochs: 100, // for this many epochs in a row
  pinned: 0.98, // at least this share of the output's cells at |v| >= 0.98
  loss: 0.3, // a training loss at least this high (a good classifier is pinned too, but right)
  flat: 1e-3, // the training loss moves less than this
  drift: 0.01, // and no weight or bias moves by more than this share of the largest one
};

/** The share of a quantised grid's cells (0..254 for -1..1, 255 = not finite) at |v| >= 0.98. */
export function pinnedShare(bytes) {
  let n = 0;
  for (const q of bytes) if (q !== 255 && (q <= 2 || q >= 252)) n++;
  return bytes.length ? n / bytes.length : 0;
}

function parameters(frame) {
  return [...frame.weights, ...frame.biases].flatMap((a) => Array.from(a));
}

/**
 * The next watch state from the last one (null to start) and a frame: null while the signs are
 * absent, else {epoch, low, high, params, saturated}. `output`: the output's grid bytes;
 * `classification`: a regression's output is not squashed, so it never counts as pinned.
 */
export function watchSaturation(last, frame, output, classification, limits = LIMITS) {
  const loss = frame.trainLoss;
  if (!classification || frame.diverged || !(loss >= limits.loss) || pinnedShare(output) < limits.pinned) return null;
  const params = parameters(frame);
  const start = { epoch: frame.epoch, low: loss, high: loss, params, saturated: false };
  if (!last || frame.epoch < last.epoch || params.length !== last.params.length) return start;
  const scale = Math.max(1e-9, ...last.params.map(Math.abs));
  const moved = params.some((v, i) => Math.abs(v - last.params[i]) > limits.drift * scale);
  const low = Math.min(last.low, loss);
  const high = Math.max(last.high, loss);
  if (moved || high - low > limits.flat) return start;
  return { ...last, low, high, saturated: frame.epoch - last.epoch >= limits.epochs };
}
