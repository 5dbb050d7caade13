/** Batch, stochastic and mini-batch gradient descent as batch sizes, with the lecture's formulas. */

export const MODES = ["batch", "stochastic", "mini-batch"];

/** The batch size a mode means for `nTrain` training points (`size`: the mini-batch's b). */
export function batchSizeFor(mode, nTrain, size = 10) {
  const n = Math.max(1, Math.floor(nTrain));
  if (mode === "batch") return n;
  if (mode === "stochastic") return 1;
  if (mode === "mini-batch") return Math.min(Math.max(2, Math.floor(size)), Math.max(n - 1, 2));
  throw new Error(`mode: ${JSON.stringify(mode)} is not allowed; allowed: ${MODES.join(", ")}`);
}

/** The mode a batch size is: 1 stochastic, all points batch, anything between mini-batch. */
export function modeOf(batchSize, nTrain) {
  if (batchSize <= 1) return "stochastic";
  if (batchSize >= nTrain) return "batch";
  return "mini-batch";
}

/** The lecture's update rule for each mode (plain text; `_` and `^` marks for the formatter). */
export const FORMULAS = {
  batch: "θ_(j+1) ← θ_j − α ∂J(x, y; θ)/∂θ_j  (all n training points per update)",
  stochastic: "θ_(j+1) ← θ_j − α ∂J(x^(i), y^(i); θ)/∂θ_j  (one point per update)",
  "mini-batch": "θ_(j+1) ← θ_j − α ∂J(x^(i:i+b), y^(i:i+b); θ)/∂θ_j  (b points per update)",
};
