/**
 * Accuracy and confusion matrices (classification) or R² (regression) from each frame's metrics
 * section, and the legend naming the classes (issue 12).
 */

import { className, classColor } from "../classes.js";
import { paletteOf } from "../colors.js";
import { accuracyOf } from "../frame.js";
import { watch } from "../store.js";

/** "93.2 %" for a share 0..1; a dash when there are no points. */
export function formatPercent(share) {
  return Number.isFinite(share) ? `${(100 * share).toFixed(1)} %` : "—";
}

/** R² with three decimals; a dash when undefined (too few points, or constant targets). */
export function formatR2(r2) {
  return Number.isFinite(r2) ? r2.toFixed(3) : "—";
}

/** The class names a page shows: an upload's own names, else "class k (colour)". */
export function classNames(s, K) {
  const own = s.data && s.data.own && s.setup.ownData ? s.data.own.names : [];
  return Array.from({ length: K }, (_, k) => className(k, K, own, Boolean(s.setup.colorblind)));
}

function swatch(doc, color) {
  const dot = doc.createElement("span");
  dot.className = "swatch";
  dot.style.background = color;
  dot.setAttribute("aria-hidden", "true");
  return dot;
}

/** Fill a confusion table: a header of predicted classes, a row per true class, counts. */
function fillTable(doc, table, matrix, names, colors) {
  const head = doc.createElement("tr");
  head.append(doc.createElement("td"));
  names.forEach((name, j) => {
    const th = doc.createElement("th");
    th.scope = "col";
    th.append(swatch(doc, colors[j]));
    th.setAttribute("aria-label", `network says ${name}`);
    head.append(th);
  });
  table.tHead.replaceChildren(head);
  const rows = matrix.map((counts, i) => {
    const tr = doc.createElement("tr");
    const th = doc.createElement("th");
    th.scope = "row";
    th.append(swatch(doc, colors[i]), doc.createTextNode(names[i]));
    tr.append(th);
    counts.forEach((n, j) => {
      const td = doc.createElement("td");
      td.textContent = String(n);
      if (i === j) td.className = "right";
      tr.append(td);
    });
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
}

/** The metrics and the class legend on a store: they follow every frame and the class names. */
export function mountMetrics(doc, store) {
  const $ = (id) => doc.querySelector(`[data-testid="${id}"]`);
  const root = $("metrics");
  if (!root) return null;
  const out = { accuracy: $("accuracy"), trainAccuracy: $("train-accuracy"), r2: $("r2"), trainR2: $("train-r2") };
  const tables = [$("confusion-matrix"), $("confusion-matrix-train")];
  const legend = $("class-legend");
  const set = (el, text) => el.textContent !== text && (el.textContent = text);
  const colorsOf = (s, K) => Array.from({ length: K }, (_, k) => classColor(k, K, paletteOf(s.setup)));

  watch(store, (s) => [s.frame && s.frame.metrics, s.data, s.setup.colorblind, s.setup.ownData], ([metrics], s) => {
    const regression = Boolean(metrics && metrics.r2);
    for (const el of root.querySelectorAll("[data-metric]")) {
      el.hidden = !metrics || (el.dataset.metric === "regression") !== regression;
    }
    if (!metrics) return;
    if (regression) {
      set(out.r2, formatR2(metrics.r2[1]));
      set(out.trainR2, formatR2(metrics.r2[0]));
      return;
    }
    const [train, test] = metrics.confusion;
    set(out.accuracy, formatPercent(accuracyOf(test)));
    set(out.trainAccuracy, formatPercent(accuracyOf(train)));
    const names = classNames(s, metrics.classes);
    const colors = colorsOf(s, metrics.classes);
    fillTable(doc, tables[0], test, names, colors);
    fillTable(doc, tables[1], train, names, colors);
  });

  const outputs = (s) => (s.frame ? s.frame.layers[s.frame.layers.length - 1] : 1);
  watch(store, (s) => [outputs(s), s.setup.problem, s.data, s.setup.colorblind, s.setup.ownData], ([n, problem], s) => {
    // Two classes keep the original's look (its legend says what the colours mean) unless an
    // upload named them.
    const K = Math.max(2, n);
    const named = s.setup.ownData && s.data && s.data.own && s.data.own.names.length > 0;
    legend.hidden = problem === "regression" || (K === 2 && !named);
    if (legend.hidden) return;
    const names = classNames(s, K);
    const colors = colorsOf(s, K);
    legend.replaceChildren(...names.map((name, k) => {
      const li = doc.createElement("li");
      li.append(swatch(doc, colors[k]), doc.createTextNode(name));
      return li;
    }));
  });
  return root;
}
