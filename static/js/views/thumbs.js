/** Small heatmap canvases: one per neuron, painted from a frame's bytes through the palette. */

import { byteLut, PALETTES } from "../colors.js";

export class ThumbPainter {
  constructor(palette = PALETTES.default) {
    this.setPalette(palette);
    this.images = new WeakMap();
  }

  setPalette(palette) {
    this.palette = palette;
    this.lut = byteLut(palette, false);
  }

  /** Paint n x n bytes onto `canvas` (its backing store becomes n x n; CSS scales it). */
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
    const pixels = new Uint32Array(entry.image.data.buffer);
    const lut = this.lut;
    for (let i = 0; i < bytes.length; i++) pixels[i] = lut[bytes[i]];
    entry.ctx.putImageData(entry.image, 0, 0);
  }
}
