/** The loss chart: train (grey) and test (black) loss over every epoch since the last reset. */

import { formatLoss } from "../frame.js";

/** A loss readout: "diverged" once the losses are no longer numbers, never a stale or zero value. */
export function lossText(loss, diverged) {
  return diverged ? "diverged" : formatLoss(loss);
}
import { watch } from "../store.js";

export class LossChart {
  /** maxPoints bounds the history kept here; past it every other point is dropped. */
  constructor(canvas, maxPoints = 5000) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.maxPoints = maxPoints;
    this.size = null; // [css width, css height, device pixel ratio] once measured
    this.clear();
  }

  clear() {
    this.epochs = [];
    this.train = [];
    this.test = [];
    this.divergedAt = null; // the epoch the run diverged at, marked on the chart
  }

  /** Add a frame's history points; an epoch at or before the last one means a restart. */
  add(history) {
    for (let i = 0; i < history.epoch.length; i++) {
      const epoch = history.epoch[i];
      while (this.epochs.length && this.epochs[this.epochs.length - 1] >= epoch) {
        if (epoch === 0) this.clear();
        else {
          this.epochs.pop();
          this.train.pop();
          this.test.pop();
        }
      }
      this.epochs.push(epoch);
      this.train.push(history.train[i]);
      this.test.push(history.test[i]);
    }
    if (this.epochs.length > this.maxPoints) {
      const keep = (_, i) => i % 2 === 0 || i === this.epochs.length - 1;
      this.epochs = this.epochs.filter(keep);
      this.train = this.train.filter(keep);
      this.test = this.test.filter(keep);
    }
  }

  /**
   * Read the canvas's size on the page (after a resize or a change of mode). Drawing does not
   * read it: that would force a layout in the middle of every frame's DOM changes.
   */
  measure() {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    this.size = canvas.clientWidth ? [canvas.clientWidth, canvas.clientHeight, ratio] : null;
    const [w, h] = this.size || [120, 40];
    if (canvas.width !== Math.round(w * ratio)) canvas.width = Math.round(w * ratio);
    if (canvas.height !== Math.round(h * ratio)) canvas.height = Math.round(h * ratio);
  }

  /** thick: projector-sized lines. */
  draw({ thick = false, colors = { train: "#999", test: "#000" } } = {}) {
    const { ctx } = this;
    if (!this.size) this.measure(); // not measured yet, or hidden when it was
    const [w, h, ratio] = this.size || [120, 40, window.devicePixelRatio || 1];
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const n = this.epochs.length;
    if (this.divergedAt !== null) this.markDivergence(w, h, thick);
    if (n < 1) return;
    let top = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isFinite(this.train[i])) top = Math.max(top, this.train[i]);
      if (Number.isFinite(this.test[i])) top = Math.max(top, this.test[i]);
    }
    top = top || 1;
    const first = this.epochs[0];
    const span = Math.max(1, this.epochs[n - 1] - first);
    // At most two points per pixel column: a long run costs the same to draw as a short one.
    const stride = Math.max(1, Math.floor(n / (2 * w)));
    const line = (values, color) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = thick ? 2.5 : 1.5;
      ctx.beginPath();
      for (let i = 0; i < n; i += stride) {
        const x = ((this.epochs[i] - first) / span) * (w - 2) + 1;
        const y = h - 1 - (Math.min(values[i], top) / top) * (h - 2);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
    };
    line(this.train, colors.train);
    line(this.test, colors.test);
  }

  /** A red line where the run diverged (at the right edge: training stops there). */
  markDivergence(w, h, thick) {
    const { ctx } = this;
    const n = this.epochs.length;
    const first = n ? this.epochs[0] : 0;
    const span = Math.max(1, this.divergedAt - first);
    const x = n ? Math.min(w - 2, ((this.divergedAt - first) / span) * (w - 2) + 1) : w - 2;
    ctx.strokeStyle = "#c62828";
    ctx.lineWidth = thick ? 3 : 2;
    ctx.setLineDash([3, 2]);
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, h);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/**
 * The chart and the two loss readouts on a store. The chart keeps the history the frames bring
 * (each frame carries only the epochs since the last); a session at epoch 0, or another session
 * shown (`run`), starts it again.
 */
export function mountLosses(doc, store, maxPoints) {
  const chart = new LossChart(doc.querySelector('[data-testid="loss-chart"]'), maxPoints);
  const trainLoss = doc.querySelector('[data-testid="train-loss"]');
  const testLoss = doc.querySelector('[data-testid="test-loss"]');
  let run;
  watch(store, (s) => [s.server, s.run], ([server], s) => {
    if (!server || server.epoch === 0 || s.run !== run) chart.clear();
    run = s.run;
  });
  const canvas = doc.querySelector('[data-testid="loss-chart"]');
  const label = canvas.getAttribute("aria-label");
  watch(store, (s) => s.frame, (frame, s) => {
    if (!frame) return;
    trainLoss.textContent = lossText(frame.trainLoss, frame.diverged);
    testLoss.textContent = lossText(frame.testLoss, frame.diverged);
    for (const out of [trainLoss, testLoss]) out.classList.toggle("diverged", frame.diverged);
    chart.add(frame.history);
    const at = frame.diverged ? frame.epoch : null;
    if (chart.divergedAt !== at) {
      chart.divergedAt = at;
      canvas.setAttribute("aria-label", at === null ? label : `${label}; diverged at epoch ${at} (red line)`);
      canvas.dataset.divergedAt = at === null ? "" : String(at);
    }
    chart.draw({ thick: s.setup.projector });
  });
  const redraw = () => {
    chart.measure();
    chart.draw({ thick: store.get().setup.projector });
  };
  watch(store, (s) => [s.setup.projector, s.setup.hideText], redraw);
  addEventListener("resize", redraw);
  return chart;
}
