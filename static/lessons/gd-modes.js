/** The lecture's update rule for batch, stochastic and mini-batch gradient descent. */

export const MODES = ["batch", "stochastic", "mini-batch"];

/** Plain text with `_(...)` and `^(...)` marks for format.js's `formula`. */
export const FORMULAS = {
  batch: "θ_(j+1) ← θ_j − α ∂J(x, y; θ)/∂θ_j",
  stochastic: "θ_(j+1) ← θ_j − α ∂J(x^(i), y^(i); θ)/∂θ_j",
  "mini-batch": "θ_(j+1) ← θ_j − α ∂J(x^(i:i+b), y^(i:i+b); θ)/∂θ_j",
};

export const MEANINGS = {
  batch: "batch (vanilla) gradient descent: every training point in each update",
  stochastic: "stochastic gradient descent: one training point per update",
  "mini-batch": "mini-batch gradient descent: b training points per update",
};

/**
 * A formula cut where a line may break: before " − " and after ", ". Each part is kept whole,
 * so a narrow column never breaks the expression inside a term.
 */
export function formulaParts(text) {
  return text.replace(/ − /g, "\n− ").replace(/, /g, ",\n").split("\n");
}
