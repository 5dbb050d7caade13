/** The output view: the large heatmap (output or hovered neuron), data points and axes. */

import { byteLut, cssColor, PALETTES } from "../colors.js";
import { toPixel } from "../datasets.js";

export class Heatmap {
  /** root holds canvas.heatmap-grid, canvas.heatmap-points and the .axis-x / .axis-y rulers. */
  constructor(root) {
    this.root = root;
    this.grid = root.querySelector(".heatmap-grid");
    this.points = root.querySelector(".heatmap-points");
    this.label = root.querySelector(".heatmap-label");
    this.ctx = this.grid.getContext("2d");
    this.pctx = this.points.getContext("2d");
    this.palette = PALETTES.default;
    this.discretize = false;
    this.showTest = false;
    this.train = [];
    this.test = [];
    this.image = null;
    this.paints = 0;
    this.lut = byteLut(this.palette, false);
    this.drawAxes();
  }

  setOptions({ palette = this.palette, discretize = this.discretize, showTest = this.showTest }) {
    const lutChanged = palette !== this.palette || discretize !== this.discretize;
    this.palette = palette;
    this.discretize = discretize;
    this.showTest = showTest;
    if (lutChanged) this.lut = byteLut(palette, discretize);
    this.drawPoints();
  }

  setPoints(train, test) {
    this.train = train;
    this.test = test;
    this.drawPoints();
  }

  /** Paint an n x n grid of bytes (row 0 at y = +6); `caption` names a neuron, "" for the output. */
  drawGrid(bytes, n, caption = "") {
    if (this.grid.width !== n || this.grid.height !== n) {
      this.grid.width = n;
      this.grid.height = n;
      this.image = null;
    }
    if (!this.image) this.image = this.ctx.createImageData(n, n);
    const pixels = new Uint32Array(this.image.data.buffer);
    const lut = this.lut;
    for (let i = 0; i < bytes.length; i++) pixels[i] = lut[bytes[i]];
    this.ctx.putImageData(this.image, 0, 0);
    this.paints += 1;
    this.grid.dataset.paints = String(this.paints);
    if (this.label.textContent !== caption) {
      this.label.textContent = caption;
      this.label.hidden = caption === "";
    }
  }

  /** The dots: train with a white ring, test with a black one, drawn at the display's resolution. */
  drawPoints() {
    const css = this.points.clientWidth || 260;
    const ratio = window.devicePixelRatio || 1;
    const size = Math.round(css * ratio);
    if (this.points.width !== size || this.points.height !== size) {
      this.points.width = size;
      this.points.height = size;
    }
    const ctx = this.pctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, size, size);
    ctx.scale(ratio, ratio);
    const projector = document.body.classList.contains("projector");
    const radius = projector ? 4.5 : 3;
    ctx.lineWidth = projector ? 1.6 : 1;
    const draw = (points, stroke) => {
      ctx.strokeStyle = stroke;
      for (const [x, y, label] of points) {
        if (Math.abs(x) > 6 || Math.abs(y) > 6) continue;
        const [px, py] = toPixel(x, y, css);
        ctx.fillStyle = cssColor(label, this.palette);
        ctx.beginPath();
        ctx.arc(px, py, radius, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    };
    draw(this.train, "#fff");
    if (this.showTest) draw(this.test, "#000");
  }

  drawAxes() {
    for (const [cls, vertical] of [[".axis-x", false], [".axis-y", true]]) {
      const axis = this.root.querySelector(cls);
      axis.replaceChildren();
      for (let v = -6; v <= 6; v++) {
        const tick = document.createElement("span");
        tick.textContent = String(v);
        const at = ((v + 6) / 12) * 100;
        if (vertical) tick.style.top = `${100 - at}%`;
        else tick.style.left = `${at}%`;
        if (v === 0) tick.className = "zero";
        axis.append(tick);
      }
    }
  }
}
