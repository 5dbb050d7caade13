/** The one painter of every heatmap: quantised grids onto canvases, data points over them. */

import { pointColor } from "../classes.js";
import { PALETTES } from "../colors.js";
import { paintBytes, paletteLut, plotPoints } from "../grid.js";

export class GridPainter {
  /** lut: a 256-entry table (grid.js); the original palette by default. */
  constructor(lut = paletteLut(PALETTES.default)) {
    this.lut = lut;
    this.images = new WeakMap();
  }

  setLut(lut) {
    this.lut = lut;
  }

  /** Paint through a palette (colors.js PALETTES), discretized (every value to -1 or +1) or not. */
  setPalette(palette, discretize = false) {
    this.lut = paletteLut(palette, discretize);
  }

  /** Paint n x n bytes onto `canvas` (a canvas or OffscreenCanvas: its backing store becomes n x n). */
  paint(canvas, bytes, n) {
    if (canvas.width !== n || canvas.height !== n) {
      canvas.width = n;
      canvas.height = n;
    }
    let entry = this.images.get(canvas);
    if (!entry || entry.n !== n) {
      const ctx = canvas.getContext("2d");
      entry = { n, ctx, image: ctx.createImageData(n, n) };
      this.images.set(canvas, entry);
    }
    paintBytes(new Uint32Array(entry.image.data.buffer), bytes, this.lut);
    entry.ctx.putImageData(entry.image, 0, 0);
  }
}

/**
 * Draw data points over a heatmap, at the display's resolution: train points with a white ring,
 * test points (when `showTest`) with a black one, filled with their label's colour (`many`: K >= 3
 * classes, labels 0 .. K - 1 in class colours).
 */
export function paintPoints(canvas, { train, test, showTest, palette, large, many = false }) {
  const css = canvas.clientWidth || 260;
  const ratio = globalThis.devicePixelRatio || 1;
  const size = Math.round(css * ratio);
  if (canvas.width !== size || canvas.height !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, size, size);
  ctx.scale(ratio, ratio);
  const radius = large ? 4.5 : 3;
  ctx.lineWidth = large ? 1.6 : 1;
  const draw = (points, stroke) => {
    ctx.strokeStyle = stroke;
    for (const [px, py, label] of plotPoints(points, css)) {
      ctx.fillStyle = pointColor(label, palette, many);
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  };
  draw(train, "#fff");
  if (showTest) draw(test, "#000");
}
