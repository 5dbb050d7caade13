/** The backprop inspector: pick a weight or bias and a point, read its chain rule live. */

import { escapeHtml as esc, formula } from "../../lessons/format.js";
import { FORMULAS, formulaParts, MEANINGS } from "../../lessons/gd-modes.js";
import { renderInspection } from "../inspection.js";
import { nodeName } from "../node-names.js";
import { gdModeOf } from "../state.js";
import { watch } from "../store.js";

const MIN_INTERVAL_MS = 200; // re-ask at most this often while training runs

const CONTROLS = `
  <div class="ins-head">
    <h2>Backprop inspector</h2>
    <button type="button" class="ins-toggle" data-testid="inspector-toggle" aria-expanded="false">Open</button>
    <span class="ins-note" hidden>It works on the room's network and your own, so it rests while a student's is shown.</span>
  </div>
  <div class="ins-body" hidden>
    <div class="ins-controls">
      <label>Layer <select data-testid="inspector-layer" data-f="layer"></select></label>
      <label>To neuron <select data-testid="inspector-to" data-f="to"></select></label>
      <label>From <select data-testid="inspector-from" data-f="from"></select></label>
      <label>Training point <input type="number" min="0" value="0" step="1" data-testid="inspector-point" data-f="point"></label>
      <label><input type="checkbox" data-testid="inspector-batch" data-f="batch"> next mini-batch (mean)</label>
    </div>
    <div class="ins-out" data-testid="inspector-panel" aria-live="off"></div>
  </div>`;

function options(select, items, keep) {
  const html = items.map(([value, label]) => `<option value="${value}">${label}</option>`).join("");
  if (select.innerHTML !== html) select.innerHTML = html;
  select.value = items.some(([v]) => String(v) === String(keep)) ? String(keep) : String(items[0][0]);
}

class Inspector {
  /** ask(message) sends an `inspect` and says whether it went out. */
  constructor(slot, ask) {
    this.slot = slot;
    this.send = ask;
    this.layers = null;
    this.inputs = [];
    this.nTrain = 1;
    this.open = false;
    this.enabled = true;
    this.lastAsk = 0;
    this.waiting = false;
    this.dirty = false;
    this.timer = null;
    slot.classList.add("inspector");
    slot.innerHTML = CONTROLS;
    this.body = slot.querySelector(".ins-body");
    this.out = slot.querySelector(".ins-out");
    this.toggle = slot.querySelector(".ins-toggle");
    this.note = slot.querySelector(".ins-note");
    this.field = (f) => slot.querySelector(`[data-f="${f}"]`);
    this.toggle.addEventListener("click", () => this.setOpen(!this.open));
    slot.addEventListener("change", () => { this.fillSelects(); this.ask(true); });
  }

  setOpen(open) {
    this.open = open && this.enabled;
    this.body.hidden = !this.open;
    this.toggle.textContent = this.open ? "Close" : "Open";
    this.toggle.setAttribute("aria-expanded", String(this.open));
    if (this.open) this.ask(true);
  }

  /** Off while the page shows a session it does not drive: the server would not answer. */
  setEnabled(enabled) {
    this.enabled = enabled;
    this.toggle.disabled = !enabled;
    this.note.hidden = enabled;
    if (!enabled) this.setOpen(false);
  }

  /** Show the chain rule of one weight or bias {layer, to, from | bias} (the weight editor asks). */
  showParameter(target) {
    if (!this.layers || !this.enabled) return;
    this.field("layer").value = String(target.layer);
    this.fillSelects();
    this.field("to").value = String(target.to);
    this.field("from").value = target.bias ? "bias" : String(target.from);
    this.setOpen(true);
    this.slot.scrollIntoView({ block: "nearest" });
  }

  setNetwork(layers, inputs) {
    this.layers = layers;
    this.inputs = inputs;
    this.fillSelects();
    this.ask(true);
  }

  setTrainCount(n) {
    this.nTrain = Math.max(1, n);
    this.fillSelects();
  }

  fillSelects() {
    const L = this.layers;
    if (!L) return;
    const names = (k, i) => nodeName(k, i, L, this.inputs).text;
    const layer = this.field("layer");
    options(layer, L.slice(0, -1).map((_, l) => [l, `${l}: ${l === 0 ? "inputs" : `hidden ${l}`} → ${l === L.length - 2 ? "output" : `hidden ${l + 1}`}`]), layer.value || 0);
    const l = Number(layer.value);
    options(this.field("to"), Array.from({ length: L[l + 1] }, (_, i) => [i, names(l + 1, i)]), this.field("to").value || 0);
    const from = Array.from({ length: L[l] }, (_, i) => [i, names(l, i)]);
    options(this.field("from"), [...from, ["bias", "bias"]], this.field("from").value || 0);
    const point = this.field("point");
    point.max = String(this.nTrain - 1);
    if (Number(point.value) > this.nTrain - 1) point.value = String(this.nTrain - 1);
    point.disabled = this.field("batch").checked;
  }

  request() {
    const from = this.field("from").value;
    const message = { type: "inspect", layer: Number(this.field("layer").value), to: Number(this.field("to").value) };
    if (from === "bias") message.bias = true;
    else message.from = Number(from);
    message.point = this.field("batch").checked ? "batch" : Math.max(0, Math.floor(Number(this.field("point").value) || 0));
    return message;
  }

  /**
   * Ask now (a selection changed) or, on a frame, once the last answer is in and 200 ms have
   * passed; a frame that comes too soon is asked about later, so the last one is never missed.
   */
  ask(now = false) {
    if (!this.open || !this.layers) return;
    const t = performance.now();
    // An answer lost to a reconnect must not stop the panel: after 2 s, ask again anyway.
    const waiting = this.waiting && t - this.lastAsk < 2000;
    if (!now && (waiting || t - this.lastAsk < MIN_INTERVAL_MS)) {
      this.dirty = true;
      if (!this.timer) {
        const wait = Math.max(MIN_INTERVAL_MS - (t - this.lastAsk), 20);
        this.timer = setTimeout(() => { this.timer = null; if (this.dirty) this.ask(); }, wait);
      }
      return;
    }
    if (this.send(this.request())) {
      this.lastAsk = t;
      this.waiting = true;
      this.dirty = false;
    }
  }

  /** An `inspection` answer, or the `error` refusing an `inspect`. */
  show(message) {
    this.waiting = false;
    if (message.type === "error") this.out.innerHTML = `<p class="ins-error" role="alert">${esc(message.message)}</p>`;
    else if (this.open) this.out.innerHTML = renderInspection(message, this.layers);
    if (this.dirty) this.ask();
  }
}

/** The lecture's update rule under the gradient-descent select, for the mode the setup is in. */
function mountFormula(doc, store) {
  const select = doc.getElementById("gd-mode");
  if (!select) return;
  const p = doc.createElement("p");
  p.className = "gd-formula";
  p.dataset.testid = "gd-formula";
  select.closest("label").after(p);
  watch(store, (s) => [s.setup.batchSize, s.data ? s.data.train.length : 0], ([batchSize, nTrain]) => {
    const mode = gdModeOf(batchSize, nTrain);
    p.innerHTML = formulaParts(FORMULAS[mode] || "").map((part) => `<span class="formula-part">${formula(part)}</span>`).join(" ");
    p.title = MEANINGS[mode] || "";
  });
}

/** The inspector in `slot` on a store: it asks again on every frame (at most every 200 ms while open). */
export function mountInspector(slot, store, actions) {
  const inspector = new Inspector(slot, actions.inspect);
  mountFormula(slot.ownerDocument, store);
  // A follower reads the chain rule of the room's network too; an instructor watching a
  // spotlighted student's network has none of their own on screen to ask about.
  watch(store, (s) => !s.readOnly || s.shown === "room", (enabled) => inspector.setEnabled(enabled));
  watch(store, (s) => [s.server && s.server.layers.join(), s.server && s.server.inputs.join()], (_, s) => {
    if (s.server) inspector.setNetwork(s.server.layers, s.server.inputs);
  });
  watch(store, (s) => s.data, (data) => data && inspector.setTrainCount(data.train.length));
  watch(store, (s) => s.frame, (frame) => frame && inspector.ask());
  watch(store, (s) => s.inspection, (message) => message && inspector.show(message));
  watch(store, (s) => s.picked, (target) => target && inspector.showParameter(target));
  return inspector;
}
