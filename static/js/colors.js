/** Colour scales: the original's 31-shade orange-grey-blue palette and a colour-blind-safe one. */

export const NUM_SHADES = 31;
/** Heatmap cells are drawn at this alpha over the page's white, as the original does. */
export const HEATMAP_ALPHA = 160 / 255;
export const NAN_COLOR = [160, 160, 160];

export const PALETTES = {
  // value -1, 0, +1
  default: ["#f59322", "#e8eaeb", "#0877bd"],
  // Okabe-Ito orange and a dark blue: the two ends also differ strongly in lightness.
  colorblind: ["#e69f00", "#f2f2f2", "#1f3f99"],
};

/** "#rrggbb" -> [r, g, b]. */
export function parseHex(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Linear RGB blend of the palette for v in [-1, 1] (clamped); NaN gives grey. */
export function colorFor(v, palette = PALETTES.default) {
  if (!Number.isFinite(v)) return NAN_COLOR.slice();
  const t = Math.max(-1, Math.min(1, v));
  const [lo, hi, f] = t < 0 ? [palette[0], palette[1], t + 1] : [palette[1], palette[2], t];
  const a = parseHex(lo);
  const b = parseHex(hi);
  return a.map((c, i) => Math.round(c + (b[i] - c) * f));
}

/** The shade index of v: floor((v + 1) * 31 / 2) clamped to 0..30. */
export function shadeIndex(v) {
  return Math.max(0, Math.min(NUM_SHADES - 1, Math.floor(((v + 1) * NUM_SHADES) / 2)));
}

/** Value at the centre of shade i: -1 for shade 0, 0 for shade 15, +1 for shade 30. */
export function shadeValue(i) {
  return -1 + (2 * i) / (NUM_SHADES - 1);
}

/** The 31 shades as [r, g, b]. */
export function shades(palette = PALETTES.default) {
  return Array.from({ length: NUM_SHADES }, (_, i) => colorFor(shadeValue(i), palette));
}

/** Composite a colour drawn at `alpha` over white. */
export function overWhite(rgb, alpha = HEATMAP_ALPHA) {
  return rgb.map((c) => Math.round(c * alpha + 255 * (1 - alpha)));
}

/** A decoded grid byte q (0..254, 255 = not finite) to its value. */
export function byteValue(q) {
  return q === 255 ? NaN : q / 127 - 1;
}

/**
 * 256-entry lookup from a grid byte to an opaque RGBA pixel packed as a little-endian Uint32
 * (ready for a Uint32Array view of ImageData), through the 31 shades.
 */
export function byteLut(palette = PALETTES.default, discretize = false) {
  const table = shades(palette).map((rgb) => overWhite(rgb));
  const nan = overWhite(NAN_COLOR, 1);
  const lut = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    let v = byteValue(q);
    if (discretize && Number.isFinite(v)) v = v >= 0 ? 1 : -1;
    const [r, g, b] = Number.isFinite(v) ? table[shadeIndex(v)] : nan;
    lut[q] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  return lut;
}

/** CSS colour string for a value (links, points, legend). */
export function cssColor(v, palette = PALETTES.default) {
  const [r, g, b] = colorFor(v, palette);
  return `rgb(${r},${g},${b})`;
}

/** The palette a page's setup asks for: the colour-blind one when `colorblind` is on. */
export function paletteOf(setup) {
  return setup && setup.colorblind ? PALETTES.colorblind : PALETTES.default;
}
