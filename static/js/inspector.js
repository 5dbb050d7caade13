/** The backprop inspector: pick a weight or bias and a point, read its chain rule live. */

import { escapeHtml as esc, exact, formula } from "../lessons/format.js";
import { FORMULAS, MEANINGS } from "../lessons/gd-modes.js";

const MIN_INTERVAL_MS = 200; // re-ask at most this often while training runs

/** A node's name: the input's feature key, h<sub>layer,i</sub> for hidden neurons, out for outputs. */
function nodeName(k, i, layers, inputs) {
  if (k === 0) return esc(inputs[i] || `input ${i + 1}`);
  if (k === layers.length - 1) return layers[k] > 1 ? `out<sub>${i + 1}</sub>` : "out";
  return `h<sub>${k},${i + 1}</sub>`;
}

function paramName(r, layers, inputs) {
  const dst = nodeName(r.layer + 1, r.to, layers, inputs);
  if (r.bias) return `b<sub>${dst}</sub>`;
  return `w<sub>${nodeName(r.layer, r.from, layers, inputs)}→${dst}</sub>`;
}

function row(label, value, testid) {
  const id = testid ? ` data-testid="inspector-${testid}"` : "";
  return `<tr><th scope="row">${label}</th><td class="num"${id} data-value="${value}">${exact(value)}</td></tr>`;
}

/** HTML for one `inspection` message. */
export function renderInspection(r, layers) {
  const inputs = r.inputs;
  const j = nodeName(r.layer + 1, r.to, layers, inputs);
  const name = paramName(r, layers, inputs);
  const g = r.gradient;
  const parts = [`<p class="ins-title">${name} = <span class="num" data-testid="inspector-value" data-value="${r.value}">${exact(r.value)}</span>
    · epoch ${r.epoch} · ${r.point === "batch" ? `mean over the next mini-batch (${r.points} point${r.points === 1 ? "" : "s"})` : `training point ${r.point} (${r.forward[0].out.map((v, i) => `${esc(inputs[i])} = ${exact(v)}`).join(", ")}; target ${r.target.join(", ")})`}
    · ${esc(r.loss)}${r.dead ? " · <b>dead link</b>: training leaves it as it is" : ""}</p>`];
  if (r.points > 1) {
    const rows = r.per_point.map((p, i) => `<tr><td>${i}</td><td class="num">${exact(p.dE_dout)}</td>
      <td class="num">${exact(p.dout_dnet)}</td><td class="num">${exact(p.dnet_dw)}</td><td class="num">${exact(p.dE_dw)}</td></tr>`);
    parts.push(`<p>∂E/∂${name} = (1/${r.points}) Σ<sub>points</sub> ∂E/∂out<sub>${j}</sub> · ∂out/∂net · ∂net/∂${name}</p>
      <table class="ins-table"><thead><tr><th>point</th><th>∂E/∂out</th><th>∂out/∂net</th><th>∂net/∂w</th><th>product</th></tr></thead>
      <tbody>${rows.join("")}</tbody></table>
      ${r.per_point.length < r.points ? `<p>first ${r.per_point.length} of ${r.points} points shown</p>` : ""}`);
  } else {
    const fwd = r.forward;
    const src = r.bias ? "1 (a bias)" : `out<sub>${nodeName(r.layer, r.from, layers, inputs)}</sub>`;
    parts.push(`<p class="ins-eq">∂E/∂${name} = ∂E/∂out<sub>${j}</sub> × ∂out<sub>${j}</sub>/∂net<sub>${j}</sub> × ∂net<sub>${j}</sub>/∂${name}</p>
      <p class="ins-eq">= <span class="num" data-testid="inspector-dE_dout">${exact(r.dE_dout)}</span>
      × <span class="num" data-testid="inspector-dout_dnet">${exact(r.dout_dnet)}</span>
      × <span class="num" data-testid="inspector-dnet_dw">${exact(r.dnet_dw)}</span>
      = <b class="num" data-testid="inspector-gradient" data-value="${g}">${exact(g)}</b></p>
      <table class="ins-table"><tbody>
      ${row(`net<sub>${j}</sub>`, fwd[r.layer + 1].net[r.to])}
      ${row(`out<sub>${j}</sub> = ${esc(r.activation)}(net<sub>${j}</sub>)`, fwd[r.layer + 1].out[r.to])}
      ${row(`∂net<sub>${j}</sub>/∂${name} = ${src}`, r.dnet_dw)}
      ${row(`∂out<sub>${j}</sub>/∂net<sub>${j}</sub> = ${esc(r.activation)}′(net<sub>${j}</sub>)`, r.dout_dnet)}
      </tbody></table>`);
    if (r.output_layer) {
      const t = r.target[r.to];
      parts.push(`<p>${j} is an output: ∂E/∂out = ${esc(r.dE_dout_formula)} with target t = ${exact(t)}
        and out = ${exact(fwd[r.layer + 1].out[r.to])}.</p>`);
    } else {
      const terms = r.next_layer.map((k) => `<tr><td>${nodeName(r.layer + 2, k.k, layers, inputs)}</td>
        <td class="num">${exact(k.w)}</td><td class="num">${exact(k.dE_dnet)}</td><td class="num">${exact(k.product)}</td></tr>`);
      parts.push(`<p>${j} is hidden: ∂E/∂out<sub>${j}</sub> = Σ<sub>k</sub> w<sub>${j}→k</sub> · ∂E/∂net<sub>k</sub>
        over the next layer's neurons k</p>
        <table class="ins-table"><thead><tr><th>k</th><th>w<sub>${j}→k</sub></th><th>∂E/∂net<sub>k</sub></th><th>product</th></tr></thead>
        <tbody>${terms.join("")}</tbody></table>`);
      const paths = r.paths;
      if (paths.shown.length) {
        const fwd = r.forward;
        const items = paths.shown.map((p) => {
          const route = p.nodes.map((n, s) => {
            const k = r.layer + 1 + s;
            return `${nodeName(k, n, layers, inputs)} <small>(net ${exact(fwd[k].net[n])}, out ${exact(fwd[k].out[n])})</small>`;
          }).join(" → ");
          const links = p.links.map((l) => `(${exact(l.w)} × ${exact(l.dout_dnet)})`).join(" × ");
          const factors = `${exact(p.dE_dout)} × ${links} × ${exact(r.dout_dnet)} × ${exact(r.dnet_dw)}`;
          return `<tr><td>${route}</td><td class="num">${factors}</td><td class="num">${exact(p.product)}</td></tr>`;
        });
        parts.push(`<p>The same sum over all ${paths.count} paths from ${j} to the output:</p>
          <table class="ins-table" data-testid="inspector-paths"><thead><tr><th>path (forward values)</th><th>∂E/∂out · Π (w · f′) · f′ · ∂net/∂w</th><th>its term of ∂E/∂${name}</th></tr></thead>
          <tbody>${items.join("")}</tbody></table>`);
      } else {
        parts.push(`<p>${paths.count} paths lead from ${j} to the output: too many to list; the sum above adds them up layer by layer.</p>`);
      }
    }
  }
  const reg = r.regularization !== "none" && r.regularizationRate > 0
    ? ` (then the ${esc(r.regularization)} step, rate ${r.regularizationRate}, applied separately)` : "";
  parts.push(`<p class="ins-eq ins-update">${name} ← ${name} − α ∂E/∂${name} = ${exact(r.value)} − ${r.learning_rate} × ${exact(g)}
    = <b class="num" data-testid="inspector-updated" data-value="${r.updated}">${exact(r.updated)}</b>${reg}</p>`);
  return parts.join("\n");
}

const CONTROLS = `
  <div class="ins-head">
    <h2>Backprop inspector</h2>
    <button type="button" class="ins-toggle" data-testid="inspector-toggle" aria-expanded="false">Open</button>
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
  constructor(slot, send) {
    this.slot = slot;
    this.send = send;
    this.layers = null;
    this.inputs = [];
    this.nTrain = 1;
    this.open = false;
    this.lastAsk = 0;
    this.waiting = false;
    this.dirty = false;
    this.timer = null;
    slot.classList.add("inspector");
    slot.innerHTML = CONTROLS;
    this.body = slot.querySelector(".ins-body");
    this.out = slot.querySelector(".ins-out");
    this.field = (f) => slot.querySelector(`[data-f="${f}"]`);
    slot.querySelector(".ins-toggle").addEventListener("click", (e) => this.setOpen(!this.open, e.target));
    slot.addEventListener("change", () => { this.fillSelects(); this.ask(true); });
  }

  setOpen(open, button) {
    this.open = open;
    this.body.hidden = !open;
    button.textContent = open ? "Close" : "Open";
    button.setAttribute("aria-expanded", String(open));
    if (open) this.ask(true);
  }

  fillSelects() {
    const L = this.layers;
    if (!L) return;
    const names = (k, i) => nodeName(k, i, L, this.inputs).replace("<sub>", " ").replace("</sub>", "");
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

  receive(message) {
    if (message.type === "state") {
      this.layers = message.layers;
      this.inputs = message.inputs;
      this.fillSelects();
      this.ask(true);
    } else if (message.type === "data") {
      this.nTrain = Math.max(1, message.train.length);
      this.fillSelects();
    } else if (message.type === "inspection") {
      this.waiting = false;
      if (this.open) this.out.innerHTML = renderInspection(message, this.layers);
      if (this.dirty) this.ask();
    } else if (message.type === "error" && message.request === "inspect") {
      this.waiting = false;
      this.out.innerHTML = `<p class="ins-error" role="alert">${esc(message.message)}</p>`;
    }
  }
}

/** Show the lecture's update rule under the page's gradient-descent select, kept in step with it. */
function mountFormula(doc) {
  const select = doc.getElementById("gd-mode");
  if (!select) return () => {};
  const p = doc.createElement("p");
  p.className = "gd-formula";
  p.dataset.testid = "gd-formula";
  select.closest("label").after(p);
  const show = () => {
    p.innerHTML = formula(FORMULAS[select.value] || "");
    p.title = MEANINGS[select.value] || "";
  };
  select.addEventListener("change", show);
  show();
  return () => requestAnimationFrame(show); // after the page's own state handling
}

/**
 * Mount the inspector into `slot`, listening to the page's Connection: its handlers are wrapped
 * so `inspection` answers come here and every frame re-asks (at most every 200 ms while open).
 */
export function mountInspector(slot, connection) {
  const doc = slot.ownerDocument;
  if (!doc.querySelector('link[href="/static/lessons/inspector.css"]')) {
    const link = Object.assign(doc.createElement("link"), { rel: "stylesheet", href: "/static/lessons/inspector.css" });
    doc.head.append(link);
  }
  const inspector = new Inspector(slot, (m) => connection.send(m));
  const refreshFormula = mountFormula(doc);
  const { onJson, onFrame } = connection.handlers;
  connection.handlers.onJson = (message) => {
    if (message.type === "inspection" || (message.type === "error" && message.request === "inspect")) {
      inspector.receive(message);
      return;
    }
    onJson(message);
    inspector.receive(message);
    if (message.type === "state") refreshFormula();
  };
  connection.handlers.onFrame = (frame) => {
    onFrame(frame);
    inspector.ask();
  };
  return inspector;
}
