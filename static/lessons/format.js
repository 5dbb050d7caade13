/** Numbers and formulas as the lessons show them: pure functions, no DOM. */

/** Exponent with two digits, as the lecture prints it: 5.5401e-04. */
export function sci(v, digits = 4) {
  return v.toExponential(digits).replace(/e([+-])(\d)$/, "e$10$2");
}

/** The exact value: 7 significant digits, scientific below 0.001. */
export function exact(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  return Math.abs(v) < 1e-3 ? sci(v, 4) : v.toPrecision(7);
}

/** Rounded to 4 places the lecture's way (scientific when that would print 0.0000). */
export function rounded(v) {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) < 5e-5 && v !== 0 ? sci(v, 4) : v.toFixed(4);
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Plain formula text to HTML: `out_o1` or `θ_(j+1)` -> subscripts, `e^(x)` -> e<sup>x</sup>. */
export function formula(text) {
  return escapeHtml(text)
    .replace(/\^\(([^)]*)\)/g, "<sup>$1</sup>")
    .replace(/_\(([^)]*)\)/g, "<sub>$1</sub>")
    .replace(/_([A-Za-z0-9]+)/g, "<sub>$1</sub>");
}
