/** The output view: the large heatmap (output or hovered neuron), data points and axes. */

import { classLut, manyClasses } from "../classes.js";
import { paletteOf, PALETTES } from "../colors.js";
import { thumbOf } from "../frame.js";
import { paletteLut } from "../grid.js";
import { nodeCaption } from "../session.js";
import { watch } from "../store.js";
import { GridPainter, paintPoints } from "./grid-painter.js";

export class Heatmap {
  /** root holds canvas.heatmap-grid, canvas.heatmap-points and the .axis-x / .axis-y rulers. */
  constructor(root) {
    this.root = root;
    this.grid = root.querySelector(".heatmap-grid");
    this.points = root.querySelector(".heatmap-points");
    this.label = root.querySelector(".heatmap-label");
    this.painter = new GridPainter();
    this.options = { palette: PALETTES.default, discretize: false, showTest: false, large: false, many: false };
    this.train = [];
    this.test = [];
    this.paints = 0;
    this.drawAxes();
  }

  /**
   * palette, discretize (every value to -1 or +1), showTest, large (projector-sized dots), many
   * (K >= 3 classes: points in class colours).
   */
  setOptions(options) {
    this.options = { ...this.options, ...options };
    this.painter.setPalette(this.options.palette, this.options.discretize);
    this.drawPoints();
  }

  setPoints(train, test) {
    this.train = train;
    this.test = test;
    this.drawPoints();
  }

  /** Paint an n x n grid of bytes (row 0 at y = +6); `caption` names a neuron, "" for the output. */
  drawGrid(bytes, n, caption = "") {
    this.painter.paint(this.grid, bytes, n);
    this.paints += 1;
    this.grid.dataset.paints = String(this.paints);
    if (this.label.textContent !== caption) {
      this.label.textContent = caption;
      this.label.hidden = caption === "";
    }
  }

  /**
   * Show a frame's output, or node `focus`: at full size when the frame carries that node's large
   * grid, else its thumbnail scaled up (until the frame that answers the hover comes).
   */
  showFrame(frame, focus, caption) {
    const wanted = focus === null ? -1 : focus;
    // K >= 3 classes: the output's large grid holds class and confidence per cell (engine/task.py).
    const classes = wanted === -1 && frame.focus === -1 && frame.layers[frame.layers.length - 1] > 1;
    const { palette, discretize } = this.options;
    this.painter.setLut(classes ? classLut(discretize) : paletteLut(palette, discretize));
    if (frame.focus === wanted) this.drawGrid(frame.grid, frame.gridSize, caption);
    else this.drawGrid(thumbOf(frame, wanted < 0 ? frame.layers.reduce((a, b) => a + b) - 1 : wanted), frame.thumbSize, caption);
  }

  drawPoints() {
    paintPoints(this.points, { ...this.options, train: this.train, test: this.test });
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

/** The heatmap on a store: points, palette and display options, and every frame or hover. */
export function mountHeatmap(root, store, labels) {
  const view = new Heatmap(root);
  watch(store, (s) => [paletteOf(s.setup), s.setup.discretize, s.setup.showTestData, s.setup.projector, manyClasses(s.setup), s.setup.hideText],
    ([palette, discretize, showTest, large, many]) => view.setOptions({ palette, discretize, showTest, large, many }));
  watch(store, (s) => s.data, (data) => data && view.setPoints(data.train, data.test));
  watch(store, (s) => [s.frame, s.focus, paletteOf(s.setup), s.setup.discretize], ([frame, focus], s) => {
    if (!frame) return;
    view.showFrame(frame, focus, nodeCaption(focus, frame.layers, s.server ? s.server.inputs : [], labels));
  });
  addEventListener("resize", () => view.drawPoints());
  return view;
}
