/**
 * The diagram from the keyboard: one Tab stop (a roving tabindex), the arrow keys between its
 * features, neurons, biases and weights (network-layout.js's order), Enter or Space to act.
 */

import { focusedByPointer } from "../keyboard.js";
import { keyColumns, moveFocus } from "./network-layout.js";

const KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);

/** The middle of a diagram element on the screen, as {clientX, clientY} (a link: its midpoint). */
export function pointOf(el) {
  if (el.getTotalLength && el.getScreenCTM) {
    const p = el.getPointAtLength(el.getTotalLength() / 2);
    const m = el.getScreenCTM();
    return { clientX: p.x * m.a + m.e, clientY: p.y * m.d + m.f };
  }
  const r = el.getBoundingClientRect();
  return { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 };
}

export class DiagramKeys {
  /** view: the NetworkView (activate, pin, labelOf, editor, cb.onFocus, pinned). */
  constructor(root, view) {
    this.root = root;
    this.view = view;
    this.columns = [];
    this.els = [];
    this.at = [0, 0];
    this.hadFocus = false;
    root.dataset.ownKeys = "";
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "The network. Arrow keys move between its features, neurons, biases and weights; Enter or Space acts on one");
    root.addEventListener("keydown", (e) => this.onKey(e));
    root.addEventListener("focusin", (e) => this.onFocus(e.target, true));
    root.addEventListener("focusout", (e) => this.onFocus(e.target, false));
  }

  /** Before a rebuild: the new shape's order (the current place is kept where it still exists). */
  reset(layers, featureCount) {
    this.hadFocus = this.root.contains(document.activeElement) && document.activeElement !== this.root;
    this.layers = layers;
    this.columns = keyColumns(layers, featureCount);
    this.els = this.columns.map((c) => new Array(c.length));
  }

  /** The place in column `layer` of neuron i ("neuron"), its bias, or its weight from `from`. */
  rowOf(layer, kind, i, from = 0) {
    const block = 2 + this.layers[layer - 1];
    return i * block + (kind === "bias" ? 1 : kind === "weight" ? 2 + from : 0);
  }

  add(el, c, r) {
    el.tabIndex = -1;
    el.dataset.keyAt = `${c}:${r}`;
    this.els[c][r] = el;
  }

  /** After a rebuild: the current item (or the nearest still there) is the one Tab stop. */
  settle() {
    let [c, r] = this.at;
    c = Math.min(c, this.columns.length - 1);
    r = Math.min(r, this.columns[c].length - 1);
    this.at = [c, Math.max(0, r)];
    const el = this.current();
    if (!el) return;
    el.tabIndex = 0;
    if (this.hadFocus) el.focus({ preventScroll: true });
  }

  current() {
    const [c, r] = this.at;
    return this.els[c] && this.els[c][r];
  }

  itemOf(el) {
    if (!el || !el.dataset || !el.dataset.keyAt) return null;
    const [c, r] = el.dataset.keyAt.split(":").map(Number);
    return this.els[c] && this.els[c][r] === el ? { place: [c, r], item: this.columns[c][r] } : null;
  }

  /** Keys act here only when the focus came by keyboard: a clicked item leaves them to the page. */
  onKey(e) {
    const found = this.itemOf(e.target);
    if (!found || e.ctrlKey || e.metaKey || e.altKey || focusedByPointer(e.target)) return;
    if (e.key === "Enter" || e.key === " ") {
      this.view.activate(found.item, e.target);
    } else if (e.key === "Escape" && this.view.pinned !== null) {
      this.view.pin(this.view.pinned);
    } else if (KEYS.has(e.key)) {
      const next = moveFocus(this.columns, found.place, e.key);
      const el = next && this.els[next[0]][next[1]];
      if (el) {
        e.target.tabIndex = -1;
        el.tabIndex = 0;
        el.focus();
      }
    } else {
      return;
    }
    e.preventDefault();
  }

  /** A focused item shows what hovering it shows: a neuron large, a weight's or bias's value. */
  onFocus(el, focused) {
    const found = this.itemOf(el);
    if (!found) return;
    const { item } = found;
    if (focused) {
      const old = this.current();
      if (old && old !== el) old.tabIndex = -1;
      el.tabIndex = 0;
      this.at = found.place;
    }
    if (item.kind === "feature" || item.kind === "neuron") {
      if (el.dataset.node === undefined) return;
      this.view.cb.onFocus(focused ? Number(el.dataset.node) : this.view.pinned);
    } else if (focused) {
      el.setAttribute("aria-label", this.view.labelOf(el.target));
      this.view.editor.hover(el.target, pointOf(el), this.view.valueOf(el.target));
    } else {
      this.view.editor.unhover(el.target);
    }
  }

  /** On every frame: the focused weight or bias says its new value. */
  refresh() {
    const el = document.activeElement;
    const found = this.itemOf(el);
    if (!found || !el.target) return;
    const label = this.view.labelOf(el.target);
    if (el.getAttribute("aria-label") !== label) el.setAttribute("aria-label", label);
  }
}
