/** Where the diagram's parts go, and how the arrow keys move between them: pure, no DOM. */

export const SIZES = {
  normal: { node: 30, row: 54, top: 58, label: 64, bias: 6, line: 1, column: 66 },
  // Thicker lines for a projector: a 1 px link vanishes on a wall.
  projector: { node: 38, row: 50, top: 66, label: 78, bias: 9, line: 1.5, column: 80 },
};

/** Link width as the original: 1 + 9 |w| / 5 px, clamped to [1, 10]. */
export function linkWidth(w) {
  if (!Number.isFinite(w)) return 1;
  return Math.max(1, Math.min(10, 1 + (9 * Math.abs(w)) / 5));
}

/**
 * The sizes for a diagram of `rows` rows: the base sizes, scaled up (projector only) so the rows
 * fill `height` px, at most twice as large.
 */
export function scaledSizes(base, rows, height) {
  if (!height) return base;
  const k = Math.max(1, Math.min(2, height / (base.top + rows * base.row)));
  if (k === 1) return base;
  const out = {};
  for (const [key, v] of Object.entries(base)) out[key] = key === "line" ? v * Math.sqrt(k) : Math.round(v * k);
  return out;
}

/**
 * The diagram's geometry: layers (sizes, inputs first), `features` (how many input rows), `width`
 * (the panel's), sizes `s`. Columns keep at least `s.column` px apart: a wider diagram than its
 * panel scrolls inside it. Returns {width, height, colX(c)}.
 */
export function geometry(layers, features, width, s) {
  const hidden = layers.slice(1, -1);
  const rows = Math.max(features, ...hidden, 1);
  const cols = hidden.length + 1;
  const need = s.label + cols * s.column + s.node + 4;
  const w = Math.max(width, need);
  const xIn = s.label;
  const xOut = w - s.node - 4;
  return { width: w, height: s.top + rows * s.row, colX: (c) => xIn + (c * (xOut - xIn)) / cols };
}

/**
 * The diagram's keyboard order: one column per layer. Column 0 holds the features; column l the
 * neurons of layer l, each followed by its bias and its incoming weights. Items are
 * {kind: "feature" | "neuron" | "bias" | "weight", layer, index, from?}.
 */
export function keyColumns(layers, featureCount) {
  const columns = [Array.from({ length: featureCount }, (_, i) => ({ kind: "feature", layer: 0, index: i }))];
  for (let l = 1; l < layers.length; l++) {
    const column = [];
    for (let i = 0; i < layers[l]; i++) {
      column.push({ kind: "neuron", layer: l, index: i });
      column.push({ kind: "bias", layer: l, index: i });
      for (let j = 0; j < layers[l - 1]; j++) column.push({ kind: "weight", layer: l, index: i, from: j });
    }
    columns.push(column);
  }
  return columns;
}

/**
 * Where a key moves the focus from item r of column c: [c, r], or null for a key not handled.
 * Up/Down step through the column, Home/End go to its ends, PageUp/PageDown to the previous or
 * next neuron, Left/Right to the neuron of the same number in the next layer (or its last one).
 */
export function moveFocus(columns, [c, r], key) {
  const column = columns[c];
  const heads = (col) => columns[col].map((item, k) => [item, k]).filter(([item]) => item.kind === "neuron" || item.kind === "feature");
  switch (key) {
    case "ArrowUp": return [c, Math.max(0, r - 1)];
    case "ArrowDown": return [c, Math.min(column.length - 1, r + 1)];
    case "Home": return [c, 0];
    case "End": return [c, column.length - 1];
    case "PageUp":
    case "PageDown": {
      const list = heads(c);
      const here = list.findLastIndex(([, k]) => k <= r);
      const next = key === "PageUp" ? (list[here][1] === r ? here - 1 : here) : here + 1;
      return [c, list[Math.max(0, Math.min(list.length - 1, next))][1]];
    }
    case "ArrowLeft":
    case "ArrowRight": {
      const to = c + (key === "ArrowLeft" ? -1 : 1);
      if (to < 0 || to >= columns.length || columns[to].length === 0) return [c, r];
      const index = column[r].index;
      const list = heads(to);
      return [to, list[Math.min(index, list.length - 1)][1]];
    }
    default:
      return null;
  }
}
