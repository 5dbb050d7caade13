/**
 * The playground's views on a page store: controls, network diagram, output heatmap, losses and
 * the inspector. The playground, the instructor's room and a student's page all mount these.
 */

import { paletteOf } from "../colors.js";
import { watch } from "../store.js";
import { colourWords } from "../words.js";
import { mountLosses } from "./chart.js";
import { mountControls } from "./controls.js";
import { mountHeatmap } from "./heatmap.js";
import { mountHints } from "./hints.js";
import { mountInspector } from "./inspector.js";
import { mountMetrics } from "./metrics.js";
import { mountNetwork } from "./network.js";

/** Feature labels as the page shows them: x1, x2, x1², ... from the server's registry. */
export function featureLabels(boot) {
  return Object.fromEntries(boot.features.map((f) => [f.key, f.label.replace(/_/g, "").replace("^2", "²")]));
}

/**
 * The page's look from its setup: hidden text, the palette as CSS colours (legend, links) and the
 * words that name its colours and what the network learns (`data-words` spans).
 */
function mountLook(doc, store) {
  watch(store, (s) => Boolean(s.setup.hideText), (on) => doc.body.classList.toggle("hide-text", on));
  watch(store, (s) => [Boolean(s.setup.colorblind), s.setup.problem], ([colorblind, problem]) => {
    const words = colourWords(colorblind, problem);
    for (const el of doc.querySelectorAll("[data-words]")) el.textContent = words[el.dataset.words];
  });
  watch(store, (s) => paletteOf(s.setup), (palette) => {
    doc.body.style.setProperty("--neg", palette[0]);
    doc.body.style.setProperty("--mid", palette[1]);
    doc.body.style.setProperty("--pos", palette[2]);
  });
}

/** Mount every view; `actions` from actions.js. Call after mountHeader (it sets the projector class). */
export function mountPlaygroundViews(doc, store, boot, actions) {
  const labels = featureLabels(boot);
  mountLook(doc, store);
  const features = boot.features.map((f) => ({ key: f.key, text: labels[f.key] }));
  return {
    controls: mountControls(doc, store, boot, actions),
    network: mountNetwork(doc.getElementById("network"), store, features, actions),
    heatmap: mountHeatmap(doc.querySelector('[data-testid="heatmap"]'), store, labels),
    chart: mountLosses(doc, store, boot.limits.maxHistory),
    inspector: mountInspector(doc.getElementById("inspector-slot"), store, actions),
    hints: mountHints(doc, store),
    metrics: mountMetrics(doc, store),
  };
}
