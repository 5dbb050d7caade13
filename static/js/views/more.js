/**
 * Issue 12's controls beyond the original: classes, loss and optimizer with its coefficients, the
 * stop conditions and their note, replay; and keeping your work: the model file, the Python script
 * and the picture, downloaded, and a model file opened again.
 */

import { watch } from "../store.js";
import { mountDrawing } from "./draw.js";

const NUMBER_KEYS = new Set(["classes", "momentum", "beta1", "beta2", "epsilon", "stopEpoch", "stopTestLoss"]);
const OFF_WHEN_EMPTY = new Set(["stopEpoch", "stopTestLoss"]);

/** The words of the note a stop condition leaves when it pauses training. */
export function stopNote(stopped, setup) {
  if (!stopped) return "";
  const loss = Number(stopped.testLoss).toFixed(3);
  if (stopped.reason === "stopEpoch") return `Paused at epoch ${stopped.epoch}, as asked (test loss ${loss}). Play to train on.`;
  return `Paused at epoch ${stopped.epoch}: the test loss ${loss} reached the goal of ${setup.stopTestLoss}. Play to train on.`;
}

/** The value a control sends: numbers as numbers, an emptied stop field as 0 (off). */
export function moreValue(key, raw) {
  if (!NUMBER_KEYS.has(key)) return raw;
  if (raw.trim() === "" && OFF_WHEN_EMPTY.has(key)) return 0;
  return Number(raw);
}

/**
 * A model file's `import` message made to fit `maxBytes`: the data points are left out (the
 * server makes them again from the config) and then the loss history's oldest rows, half at a
 * time; null if even that does not fit.
 */
export function importMessage(model, maxBytes) {
  const size = (m) => new TextEncoder().encode(JSON.stringify(m)).length;
  let message = { type: "import", model };
  if (size(message) <= maxBytes) return message;
  const { data, ...rest } = model;
  message = { type: "import", model: rest };
  let history = Array.isArray(rest.history) ? rest.history : [];
  while (size(message) > maxBytes && history.length > 0) {
    history = history.slice(Math.ceil(history.length / 2));
    message = { type: "import", model: { ...rest, history } };
  }
  return size(message) <= maxBytes ? message : null;
}

/** Offer `text` as a file download named `filename`. */
export function download(doc, filename, blob) {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement("a");
  a.href = url;
  a.download = filename;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The output picture with its data points, as one PNG. */
function savePicture(doc, epoch) {
  const grid = doc.querySelector(".heatmap-grid");
  const points = doc.querySelector(".heatmap-points");
  const canvas = doc.createElement("canvas");
  canvas.width = canvas.height = points.width || 400;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(grid, 0, 0, canvas.width, canvas.height);
  ctx.drawImage(points, 0, 0, canvas.width, canvas.height);
  canvas.toBlob((blob) => blob && download(doc, `output-epoch-${epoch}.png`, blob), "image/png");
}

function readFile(input, then) {
  const file = input.files && input.files[0];
  if (!file) return;
  file.text().then((text) => {
    input.value = ""; // choosing the same file again reads it again
    then(text, file);
  });
}

/** Mount the section on the store; `boot` gives the limits, `actions` the page's actions. */
export function mountMore(doc, store, boot, actions) {
  const root = doc.querySelector('[data-testid="more"]');
  if (!root) return null;
  const $ = (id) => root.querySelector(`[data-testid="${id}"]`);
  const limits = () => (store.get().server && store.get().server.limits) || boot.limits;
  for (const el of root.querySelectorAll("[data-limit]")) el.textContent = String(boot.limits[el.dataset.limit]);

  const fields = [...root.querySelectorAll("[data-more-key]")];
  for (const el of fields) {
    el.addEventListener("change", () => {
      const key = el.dataset.moreKey;
      const partial = { [key]: moreValue(key, el.value) };
      // K >= 3 classes have no "exclusive or": the blobs are the nearest set.
      if (key === "classes" && partial.classes > 2 && store.get().setup.dataset === "xor") partial.dataset = "gauss";
      actions.config(partial);
    });
  }
  const driving = [...fields, ...root.querySelectorAll("button, input")];
  watch(store, (s) => [s.setup, s.readOnly], ([setup, readOnly]) => {
    for (const el of fields) {
      const v = setup[el.dataset.moreKey];
      const text = OFF_WHEN_EMPTY.has(el.dataset.moreKey) && !v ? "" : String(v);
      if (doc.activeElement !== el && el.value !== text) el.value = text;
    }
    for (const el of root.querySelectorAll("[data-for-optimizer]")) el.hidden = el.dataset.forOptimizer !== setup.optimizer;
    for (const el of driving) el.disabled = readOnly;
  });

  const note = $("stop-note");
  watch(store, (s) => [s.server && s.server.stopped, s.setup.stopTestLoss], ([stopped], s) => {
    note.textContent = stopNote(stopped, s.setup);
    note.hidden = !stopped;
  });

  $("replay").addEventListener("click", () => actions.request({ type: "replay" }));
  $("export-model").addEventListener("click", () => actions.request({ type: "export", format: "model" }));
  $("export-python").addEventListener("click", () => actions.request({ type: "export", format: "python" }));
  $("export-png").addEventListener("click", () => savePicture(doc, store.get().frame ? store.get().frame.epoch : 0));
  watch(store, (s) => s.exported, (exported) => {
    if (!exported) return;
    const type = exported.format === "python" ? "text/x-python" : "application/json";
    download(doc, exported.filename, new Blob([exported.text], { type }));
  });
  const importer = $("import-model");
  importer.addEventListener("change", () => readFile(importer, (text, file) => {
    let model;
    try {
      model = JSON.parse(text);
    } catch {
      actions.fail("import-model", `${file.name} is not a model file: it is not JSON.`);
      return;
    }
    const message = importMessage(model, limits().maxMessageBytes);
    if (!message) actions.fail("import-model", `${file.name} is too large for this server (at most ${limits().maxMessageBytes} bytes).`);
    else actions.request(message);
  }));
  mountDrawing(doc, root, store, boot, actions, readFile);
  return root;
}
