/** The network diagram: feature inputs, hidden layers, output; SVG links and biases, canvas neurons. */

import { probabilityLut } from "../classes.js";
import { cssColor, paletteOf, PALETTES } from "../colors.js";
import { featureGrid, FEATURE_FUNCS } from "../features.js";
import { thumbOf } from "../frame.js";
import { pageStorage } from "../handoff.js";
import { describeNode, describeParameter, FEATURE_TEXT } from "../node-names.js";
import { watch } from "../store.js";
import { calloutsOn } from "./callouts.js";
import { GridPainter } from "./grid-painter.js";
import { DiagramKeys, pointOf } from "./network-keys.js";
import { geometry, linkWidth, scaledSizes, SIZES } from "./network-layout.js";
import { addLayerControls, buildLinks, svg } from "./network-parts.js";
import { formatValue, WeightEditor } from "./weights.js";


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
    this.editor = new WeightEditor(root, (target, value) => this.cb.onEdit(target, value), (target) => this.cb.onExplain(target));
    this.keys = new DiagramKeys(root, this);
    this.layers = null;
    this.inputs = [];
    this.frame = null;
    this.maxNeurons = 8;
    this.projector = false;
    this.pinned = null; // the neuron shown large after a tap, click or Enter, until the next
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
    if (key !== this.shapeKey) this.pinned = null;
    this.shapeKey = key;
    Object.assign(this, { layers, inputs, maxNeurons, projector, editable, frame: null });
    this.editor.close();
    this.build();
  }

  relayout() {
    if (this.layers) this.setShape(this.layers, this.inputs, this.maxNeurons, { force: true });
  }

  sizes() {
    const base = this.projector ? SIZES.projector : SIZES.normal;
    if (!this.projector) return base;
    // On a projector the diagram grows to the bottom of the screen.
    const rows = Math.max(this.features.length, ...this.layers.slice(1, -1), 1);
    const room = window.innerHeight - this.root.getBoundingClientRect().top - 12;
    return scaledSizes(base, rows, room);
  }

  build() {
    const s = this.sizes();
    const g = geometry(this.layers, this.features.length, this.root.clientWidth, s);
    this.lineScale = s.line;
    this.keys.reset(this.layers, this.features.length);
    this.root.replaceChildren();
    this.root.style.height = `${g.height}px`;
    this.root.style.setProperty("--node", `${s.node}px`);
    this.svg = svg("svg", { class: "links", width: g.width, height: g.height, role: "none" });
    this.linkLayer = svg("g", { "aria-hidden": "true" });
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
      el.setAttribute("aria-pressed", String(active >= 0));
      const name = FEATURE_TEXT[f.key] || f.text;
      el.setAttribute("aria-label", `Feature ${name}: ${active >= 0 ? "on" : "off"}${this.editable.features ? ", press to toggle" : ""}`);
      if (!this.editable.features) el.setAttribute("aria-disabled", "true");
      el.addEventListener("click", () => this.activate({ kind: "feature", index: row }));
      // A long press on a touch screen shows an input large, as hovering does with a mouse.
      if (active >= 0) {
        el.addEventListener("contextmenu", (e) => {
          e.preventDefault();
          this.pin(Number(el.dataset.node));
        });
      }
      const label = document.createElement("span");
      label.className = "feature-label";
      label.setAttribute("aria-hidden", "true");
      label.innerHTML = FEATURE_FUNCS[f.key]?.[0] ?? f.text;
      el.append(label);
      this.keys.add(el, 0, row);
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
        const node = this.nodes.length;
        const el = this.addNode(x, y, s, node);
        el.classList.add("neuron");
        el.setAttribute("aria-label", `${describeNode(l, i, this.layers, this.inputs)}: press to show its output large`);
        el.setAttribute("aria-pressed", "false");
        el.addEventListener("click", () => this.pin(node));
        this.keys.add(el, l, this.keys.rowOf(l, "neuron", i));
        this.nodes.push(el);
        column.push([x, y]);
      }
      pos.push(column);
      if (l < this.layers.length - 1) addLayerControls(this, l - 1, x, s, (g.colX(1) - g.colX(0)) < 96);
    }
    buildLinks(this, pos, s);
    this.paintInactive();
    this.keys.settle();
    if (this.cb.onBuilt) this.cb.onBuilt();
  }

  addNode(x, y, s, nodeIndex) {
    const el = document.createElement("div");
    el.className = "node";
    el.style.cssText = `left:${x}px;top:${y}px;width:${s.node}px;height:${s.node}px`;
    el.setAttribute("role", "button");
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    el.append(canvas);
    if (nodeIndex !== null) {
      el.dataset.node = String(nodeIndex);
      el.addEventListener("mouseenter", () => this.cb.onFocus(nodeIndex));
      el.addEventListener("mouseleave", () => this.cb.onFocus(this.pinned));
    }
    this.root.append(el);
    return el;
  }

  bindTarget(el, target) {
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", this.nameOf(target));
    el.target = target;
    el.addEventListener("mouseenter", (e) => this.editor.hover(target, e, this.valueOf(target)));
    el.addEventListener("mousemove", (e) => this.editor.move(e));
    el.addEventListener("mouseleave", () => this.editor.unhover(target));
    el.addEventListener("click", (e) => this.edit(target, e, el));
  }

  /** Open the editor of a weight or bias at a point (a click) or beside its element (a key). */
  edit(target, point, el) {
    if (!this.editable.weights) return;
    this.editor.open(target, point || pointOf(el), this.valueOf(target), this.nameOf(target), () => el.isConnected && el.focus());
  }

  /** What a click, a tap, Enter or Space does to an item of the diagram. */
  activate(item, el) {
    if (item.kind === "feature") {
      if (this.editable.features) this.cb.onToggleFeature(this.features[item.index].key);
    } else if (item.kind === "neuron") {
      this.pin(Number(el.dataset.node));
    } else {
      this.edit(el.target, null, el);
    }
  }

  /** Show node `node` large until asked again (then the output comes back). */
  pin(node) {
    this.pinned = this.pinned === node ? null : node;
    for (const el of this.nodes) if (el.classList.contains("neuron")) el.setAttribute("aria-pressed", String(Number(el.dataset.node) === this.pinned));
    this.cb.onFocus(this.pinned);
  }

  nameOf(target) {
    const text = describeParameter(target, this.layers, this.inputs);
    return text[0].toUpperCase() + text.slice(1);
  }

  valueOf(t) {
    if (!this.frame) return NaN;
    return t.bias ? this.frame.biases[t.layer][t.to] : this.frame.weights[t.layer][t.to * this.layers[t.layer] + t.from];
  }

  /** The accessible name of a weight or bias: what it is and its value now. */
  labelOf(target) {
    const edit = this.editable.weights ? ", press Enter to edit" : "";
    return `${this.nameOf(target)}: ${formatValue(this.valueOf(target))}${edit}`;
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
    const outputs = frame.layers[frame.layers.length - 1];
    const first = this.nodes.length - outputs;
    const base = this.painter.lut;
    this.nodes.forEach((el, k) => {
      // K >= 3 classes: each output node shows its class's probability in that class's colour.
      this.painter.setLut(outputs > 1 && k >= first ? probabilityLut(k - first) : base);
      this.painter.paint(el.firstChild, thumbOf(frame, k), n);
    });
    this.painter.setLut(base);
    this.editor.refresh((t) => this.valueOf(t));
    this.keys.refresh();
    // The dashes move along the links as the epochs go by, as in the original.
    this.linkLayer.style.setProperty("--flow", String(-(frame.epoch % 1000) / 4));
  }
}

/**
 * The diagram on a store: rebuilt when the server's layers or inputs, the projector mode or what
 * may be edited change; every frame redraws links, biases and thumbnails.
 */
export function mountNetwork(root, store, features, actions) {
  const callbacks = {
    onToggleFeature: actions.toggleFeature,
    onNeurons: actions.neurons,
    onFocus: actions.focus,
    onEdit: actions.edit,
    onExplain: actions.explain,
  };
  const view = new NetworkView(root, features, callbacks);
  callbacks.onBuilt = calloutsOn(view, pageStorage(), matchMedia("(hover: none)").matches);
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
