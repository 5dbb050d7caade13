/** The backprop inspector's text: one `inspection` answer as HTML, the chain rule written out. */

import { escapeHtml as esc, exact } from "../lessons/format.js";
import { nodeName as names } from "./node-names.js";

/** A node's name as HTML, the diagram's: X<sub>1</sub>, H<sub>1,2</sub>, out (node-names.js). */
export function nodeName(k, i, layers, inputs) {
  return names(k, i, layers, inputs).html;
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
    · epoch ${r.epoch} · ${r.point === "batch" ? `mean over the next mini-batch (${r.points} point${r.points === 1 ? "" : "s"})` : `training point ${r.point} (${r.forward[0].out.map((v, i) => `${nodeName(0, i, layers, inputs)} = ${exact(v)}`).join(", ")}; target ${r.target.join(", ")})`}
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
