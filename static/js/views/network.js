/** The network diagram: feature inputs, hidden layers, output; SVG links and biases, canvas neurons. */

import { cssColor, paletteOf, PALETTES } from "../colors.js";
import { featureGrid, FEATURE_FUNCS } from "../features.js";
import { thumbOf } from "../frame.js";
import { watch } from "../store.js";
import { GridPainter } from "./grid-painter.js";
import { WeightEditor } from "./weights.js";

const SVG = "http://www.w3.org/2000/svg";
const SIZES = {
  normal: { node: 30, row: 54, top: 58, label: 64, bias: 6, line: 1 },
  // Thicker lines for a projector: a 1 px link vanishes on a wall.
  projector: { node: 38, row: 50, top: 66, label: 78, bias: 9, line: 1.5 },
};

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Link width as the original: 1 + 9 |w| / 5 px, clamped to [1, 10]. */
export function linkWidth(w) {
  if (!Number.isFinite(w)) return 1;
  return Math.max(1, Math.min(10, 1 + (9 * Math.abs(w)) / 5));
}

export class NetworkView {
  /**
   * root: the diagram's container. features: [{key, label}] in input order. callbacks:
   * onToggleFeature(key), onNeurons(layerIndex, delta), onFocus(node | null), onEdit(target, value).
   */
  constructor(root, features, callbacks) {
    this.root = root;
    this.features = features;
    this.cb = callbacks;
    this.palette = PALETTES.default;
    this.painter = new GridPainter();
    this.editor = new WeightEditor(root, (target, value) => this.cb.onEdit(target, value));
    this.layers = null;
    this.inputs = [];
    this.frame = null;
    this.maxNeurons = 8;
    this.projector = false;
    // What a click may change: off while following someone else's session, or locked.
    this.editable = { features: true, neurons: true, weights: true };
  }

  setPalette(palette) {
    this.palette = palette;
    this.painter.setPalette(palette);
    this.linkKeys = new Map();
    this.paintInactive();
    if (this.frame) this.update(this.frame);
  }

  /**
   * Rebuild when the layer sizes or active inputs change, or what may be edited; `projector`
   * picks the larger sizes.
   */
  setShape(layers, inputs, maxNeurons, { projector = this.projector, editable = this.editable, force = false } = {}) {
    const key = JSON.stringify([layers, inputs, projector, editable, maxNeurons]);
    if (!force && key === this.shapeKey) return;
    this.shapeKey = key;
    Object.assign(this, { layers, inputs, maxNeurons, projector, editable, frame: null });
    this.editor.close();
    this.build();
  }

  relayout() {
    if (this.layers) this.setShape(this.layers, this.inputs, this.maxNeurons, { force: true });
  }

  geometry() {
    const s = this.projector ? SIZES.projector : SIZES.normal;
    const width = Math.max(360, this.root.clientWidth);
    const hidden = this.layers.slice(1, -1);
    const rows = Math.max(this.features.length, ...hidden, 1);
    const xIn = s.label;
    const xOut = width - s.node - 4;
    const cols = hidden.length + 1;
    const colX = (c) => xIn + (c * (xOut - xIn)) / cols; // c = 0 inputs .. cols output
    return { s, width, height: s.top + rows * s.row, colX };
  }

  build() {
    const g = this.geometry();
    const { s } = g;
    this.lineScale = s.line;
    this.root.replaceChildren();
    this.root.style.height = `${g.height}px`;
    this.svg = svg("svg", { class: "links", width: g.width, height: g.height, "aria-hidden": "true" });
    this.linkLayer = svg("g", {});
    this.hitLayer = svg("g", { class: "hits" });
    this.svg.append(this.linkLayer, this.hitLayer);
    this.root.append(this.svg);
    this.nodes = [];
    this.links = [];
    this.biases = [];
    this.linkKeys = new Map();
    const pos = [];

    // Inputs: every feature has a row; only active ones are nodes of the network.
    const inputPos = [];
    this.inactive = [];
    this.features.forEach((f, row) => {
      const y = s.top + row * s.row;
      const active = this.inputs.indexOf(f.key);
      const el = this.addNode(g.colX(0), y, s, active >= 0 ? this.nodes.length + active : null);
      el.classList.add("feature");
      el.classList.toggle("inactive", active < 0);
      el.dataset.testid = `feature-${f.key}`;
      el.setAttribute("role", "button");
      el.setAttribute("tabindex", "0");
      el.setAttribute("aria-pressed", String(active >= 0));
      el.setAttribute("aria-label", `Feature ${f.text}: ${active >= 0 ? "on" : "off"}${this.editable.features ? ", click to toggle" : ""}`);
      if (!this.editable.features) el.setAttribute("aria-disabled", "true");
      const toggle = () => this.editable.features && this.cb.onToggleFeature(f.key);
      el.addEventListener("click", toggle);
      el.addEventListener("keydown", (e) => {
        if (e.key === "Enter") toggle();
      });
      const label = document.createElement("span");
      label.className = "feature-label";
      label.innerHTML = FEATURE_FUNCS[f.key]?.[0] ?? f.text;
      el.append(label);
      if (active >= 0) inputPos[active] = [g.colX(0), y, el];
      else this.inactive.push([el.querySelector("canvas"), f.key]);
    });
    inputPos.forEach(([, , el]) => this.nodes.push(el));
    pos.push(inputPos.map(([x, y]) => [x, y]));

    // Hidden layers and the output.
    for (let l = 1; l < this.layers.length; l++) {
      const column = [];
      const x = g.colX(l);
      for (let i = 0; i < this.layers[l]; i++) {
        const y = s.top + i * s.row;
        const el = this.addNode(x, y, s, this.nodes.length);
        el.setAttribute("aria-label", l === this.layers.length - 1 ? "Output neuron" : `Neuron ${i + 1} of hidden layer ${l}`);
        this.nodes.push(el);
        column.push([x, y]);
      }
      pos.push(column);
      if (l < this.layers.length - 1) this.addLayerControls(l - 1, x, s, (g.colX(1) - g.colX(0)) < 96);
    }
    this.buildLinks(pos, s);
    this.paintInactive();
  }

  addNode(x, y, s, nodeIndex) {
    const el = document.createElement("div");
    el.className = "node";
    el.style.cssText = `left:${x}px;top:${y}px;width:${s.node}px;height:${s.node}px`;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    el.append(canvas);
    if (nodeIndex !== null) {
      el.dataset.node = String(nodeIndex);
      el.addEventListener("mouseenter", () => this.cb.onFocus(nodeIndex));
      el.addEventListener("mouseleave", () => this.cb.onFocus(null));
    }
    this.root.append(el);
    return el;
  }

  addLayerControls(h, x, s, narrow) {
    const box = document.createElement("div");
    box.className = "layer-controls";
    box.style.left = `${x + s.node / 2}px`;
    const n = this.layers[h + 1];
    const button = (text, delta, testid, label, disabled) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "round small";
      b.textContent = text;
      b.dataset.testid = testid;
      b.setAttribute("aria-label", label);
      b.disabled = disabled || !this.editable.neurons;
      b.addEventListener("click", () => this.cb.onNeurons(h, delta));
      return b;
    };
    const row = document.createElement("div");
    row.append(
      button("+", 1, `add-neuron-${h}`, `Add a neuron to hidden layer ${h + 1}`, n >= this.maxNeurons),
      button("−", -1, `remove-neuron-${h}`, `Remove a neuron from hidden layer ${h + 1}`, n <= 1),
    );
    const count = document.createElement("div");
    count.className = "neuron-count";
    // Six layers side by side leave no room for the word.
    count.textContent = narrow ? String(n) : `${n} neuron${n === 1 ? "" : "s"}`;
    count.setAttribute("aria-label", `${n} neuron${n === 1 ? "" : "s"}`);
    box.append(row, count);
    this.root.append(box);
  }

  buildLinks(pos, s) {
    const half = s.node / 2;
    for (let l = 0; l + 1 < pos.length; l++) {
      pos[l + 1].forEach(([x2, y2], to) => {
        pos[l].forEach(([x1, y1], from) => {
          const ax = x1 + s.node;
          const ay = y1 + half;
          const by = y2 + half;
          const mx = (ax + x2) / 2;
          const d = `M${ax},${ay} C${mx},${ay} ${mx},${by} ${x2},${by}`;
          const target = { layer: l, to, from };
          const path = svg("path", { d, class: "link" });
          const hit = svg("path", { d, class: "hit", "data-testid": `link-${l}-${to}-${from}` });
          this.bindTarget(hit, target);
          this.linkLayer.append(path);
          this.hitLayer.append(hit);
          this.links.push([path, l, to * pos[l].length + from]);
        });
        const size = s.bias;
        const rect = svg("rect", { x: x2 - size - 2, y: y2 + s.node - size, width: size, height: size, class: "bias", "data-testid": `bias-${l}-${to}` });
        this.bindTarget(rect, { layer: l, to, bias: true });
        this.hitLayer.append(rect);
        this.biases.push([rect, l, to]);
      });
    }
  }

  bindTarget(el, target) {
    el.addEventListener("mouseenter", (e) => this.editor.hover(target, e, this.valueOf(target)));
    el.addEventListener("mousemove", (e) => this.editor.move(e));
    el.addEventListener("mouseleave", () => this.editor.unhover(target));
    el.addEventListener("click", (e) => this.editable.weights && this.editor.open(target, e, this.valueOf(target)));
  }

  valueOf(t) {
    if (!this.frame) return NaN;
    return t.bias ? this.frame.biases[t.layer][t.to] : this.frame.weights[t.layer][t.to * this.layers[t.layer] + t.from];
  }

  paintInactive() {
    for (const [canvas, key] of this.inactive || []) this.painter.paint(canvas, featureGrid(key, 25), 25);
  }

  /** Draw a frame: link widths and colours, bias colours, every neuron's thumbnail. */
  update(frame) {
    if (!this.layers || frame.layers.join() !== this.layers.join()) return;
    this.frame = frame;
    for (const [path, l, i] of this.links) {
      const w = frame.weights[l][i];
      const dead = frame.dead[l][i] === 1;
      // Touch the DOM only when what shows changes: at max speed most links barely move.
      const key = dead ? -1 : Math.round(Math.max(-1, Math.min(1, w)) * 64) * 1000 + Math.round(linkWidth(w) * 4);
      if (this.linkKeys.get(path) === key) continue;
      this.linkKeys.set(path, key);
      path.setAttribute("stroke", cssColor(w, this.palette));
      path.setAttribute("stroke-width", (linkWidth(w) * this.lineScale).toFixed(2));
      path.classList.toggle("dead", dead);
    }
    for (const [rect, l, to] of this.biases) rect.setAttribute("fill", cssColor(frame.biases[l][to], this.palette));
    const n = frame.thumbSize;
    this.nodes.forEach((el, k) => this.painter.paint(el.firstChild, thumbOf(frame, k), n));
    this.editor.refresh((t) => this.valueOf(t));
    // The dashes move along the links as the epochs go by, as in the original.
    this.linkLayer.style.setProperty("--flow", String(-(frame.epoch % 1000) / 4));
  }
}

/**
 * The diagram on a store: rebuilt when the server's layers or inputs, the projector mode or what
 * may be edited change; every frame redraws links, biases and thumbnails.
 */
export function mountNetwork(root, store, features, actions) {
  const view = new NetworkView(root, features, {
    onToggleFeature: actions.toggleFeature,
    onNeurons: actions.neurons,
    onFocus: actions.focus,
    onEdit: actions.edit,
  });
  watch(store, (s) => paletteOf(s.setup), (palette) => view.setPalette(palette));
  const shape = (s) => [s.server && s.server.layers.join(), s.server && s.server.inputs.join(), s.readOnly, s.locked];
  watch(store, (s) => [...shape(s), s.setup.projector, s.setup.hideText], (_, s) => {
    if (!s.server) return;
    const drives = !s.readOnly;
    const editable = {
      features: drives && !s.locked.includes("features"),
      neurons: drives && !s.locked.includes("numHiddenLayers"),
      weights: drives && !s.locked.includes("weights"),
    };
    // The projector's sizes and the hidden text change the room the diagram has: lay it out again.
    view.setShape(s.server.layers, s.server.inputs, s.server.limits.maxNeurons, { projector: s.setup.projector, editable, force: true });
    if (s.frame) view.update(s.frame);
  });
  watch(store, (s) => s.frame, (frame) => frame && view.update(frame));
  addEventListener("resize", () => {
    view.relayout();
    const { frame } = store.get();
    if (frame) view.update(frame);
  });
  return view;
}
