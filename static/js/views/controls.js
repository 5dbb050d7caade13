/** The top bar, the data column and the output options: DOM controls bound to callbacks. */

import { manyClasses, pointColor } from "../classes.js";
import { paletteOf } from "../colors.js";
import { classSamplePoints, samplePoints, toPixel } from "../datasets.js";
import { formatEpoch } from "../frame.js";
import { batchSizeFor, gdModeOf } from "../state.js";
import { FEATURE_KEYS } from "../features.js";
import { watch } from "../store.js";
import { paceText } from "../words.js";

const NUMERIC = new Set(["learningRate", "regularizationRate", "percTrainData", "noise", "batchSize"]);
const ERROR_HOME = { regDataset: "dataset", layer: "weight", to: "weight", from: "weight", value: "weight", bias: "weight", node: "features" };
const MINI_BATCH_MAX = 30;
// A classroom lock also stops these, beside its own `data-hide-key` control (server rules.LOCKABLE).
const LOCKED_WITH = { resetButton: '[data-testid="regenerate"]', playButton: "[data-speed]" };

export class Controls {
  /**
   * callbacks: onConfig(partial), onCommand(type), onPlayPause(), onSpeed(eps),
   * onDisplay(key, value), onLayers(delta).
   */
  constructor(doc, boot, callbacks) {
    this.doc = doc;
    this.boot = boot;
    this.cb = callbacks;
    this.nTrain = 0;
    this.state = null;
    // The mini-batch size to go back to after batch or stochastic mode.
    this.miniBatch = 10;
    this.errorTimers = new Map();
    const $ = (sel) => doc.querySelector(sel);
    this.play = $('[data-testid="play"]');
    this.epoch = $('[data-testid="epoch"]');
    this.speed = $("[data-speed]");
    this.pace = $('[data-testid="pace"]');
    this.gdMode = $("#gd-mode");
    this.batchSlider = $('[data-key="batchSize"]');
    this.layerCount = $("#layer-count");
    this.readOnly = false;
    // Everything that changes the session: disabled while the page follows someone else's.
    this.driving = [
      ...doc.querySelectorAll("select[data-key], input[type=range][data-key], button.dataset"),
      this.gdMode, this.speed, this.play,
      ...["step", "reset", "regenerate", "add-layer", "remove-layer"].map((t) => $(`[data-testid="${t}"]`)),
      ...doc.querySelectorAll('[data-action="reset"]'),
    ];
    this.bind($);
  }

  bind($) {
    const { cb } = this;
    for (const el of this.doc.querySelectorAll("select[data-key], input[type=range][data-key]")) {
      const key = el.dataset.key;
      const value = () => (NUMERIC.has(key) ? Number(el.value) : el.value);
      el.addEventListener("input", () => this.showSliderValue(key, el.value));
      el.addEventListener("change", () => {
        this.clearError(key);
        if (key === "batchSize") this.gdMode.value = "mini-batch";
        cb.onConfig({ [key]: value() });
      });
    }
    for (const button of this.doc.querySelectorAll("button.dataset")) {
      button.addEventListener("click", () => {
        this.clearError("dataset");
        const problem = button.dataset.problem;
        const key = problem === "regression" ? "regDataset" : "dataset";
        cb.onConfig({ problem, [key]: button.dataset.dataset });
      });
    }
    this.gdMode.addEventListener("change", () => {
      this.clearError("batchSize");
      const size = batchSizeFor(this.gdMode.value, this.miniBatch, this.nTrain, this.boot.limits.maxBatchSize);
      cb.onConfig({ batchSize: size });
    });
    this.speed.addEventListener("change", () => {
      this.clearError("eps");
      cb.onSpeed(this.speed.value === "max" ? "max" : Number(this.speed.value));
    });
    for (const box of this.doc.querySelectorAll("input[data-display]")) {
      box.addEventListener("change", () => cb.onDisplay(box.dataset.display, box.checked));
    }
    this.play.addEventListener("click", () => cb.onPlayPause());
    $('[data-testid="step"]').addEventListener("click", () => cb.onCommand("step"));
    $('[data-testid="reset"]').addEventListener("click", () => cb.onCommand("reset"));
    $('[data-testid="regenerate"]').addEventListener("click", () => cb.onCommand("regenerate"));
    $('[data-testid="add-layer"]').addEventListener("click", () => cb.onLayers(1));
    $('[data-testid="remove-layer"]').addEventListener("click", () => cb.onLayers(-1));
    for (const b of this.doc.querySelectorAll('[data-action="reset"]')) b.addEventListener("click", () => cb.onCommand("reset"));
  }

  showSliderValue(key, value) {
    const out = this.doc.querySelector(`[data-output-for="${key}"]`);
    if (out) out.textContent = String(value);
  }

  /** Show a state: every control's value, which dataset, hidden controls, layer buttons, locks. */
  render(state, server = null, readOnly = this.readOnly, locked = []) {
    this.state = state;
    this.readOnly = readOnly;
    // A read-only page shows every control disabled; the rules below disable some more.
    for (const el of this.driving) el.disabled = readOnly;
    for (const el of this.doc.querySelectorAll("select[data-key], input[type=range][data-key]")) {
      const v = state[el.dataset.key];
      if (el === this.batchSlider) continue;
      if (el.tagName === "SELECT") {
        // Numeric menus match by value, so 1e-5 from the server finds "0.00001".
        const same = (o) => (NUMERIC.has(el.dataset.key) ? Number(o.value) === Number(v) : o.value === String(v));
        let option = [...el.options].find(same);
        if (!option) el.append((option = new Option(String(v), String(v))));
        el.value = option.value;
      } else el.value = String(v);
      this.showSliderValue(el.dataset.key, v);
    }
    const mode = gdModeOf(state.batchSize, this.nTrain);
    if (mode === "mini-batch" && this.nTrain > 0) this.miniBatch = state.batchSize;
    this.gdMode.value = mode;
    this.batchSlider.max = String(Math.max(MINI_BATCH_MAX, mode === "mini-batch" ? state.batchSize : 0));
    this.batchSlider.value = String(mode === "mini-batch" ? state.batchSize : Math.min(state.batchSize, MINI_BATCH_MAX));
    this.batchSlider.disabled = readOnly || mode !== "mini-batch";
    this.showSliderValue("batchSize", state.batchSize);
    const regression = state.problem === "regression";
    for (const b of this.doc.querySelectorAll("button.dataset")) {
      // K >= 3 classes have no "exclusive or" (engine/datasets.py).
      const mine = (b.dataset.problem === "regression") === regression && !(manyClasses(state) && b.dataset.dataset === "xor");
      const chosen = mine && b.dataset.dataset === (regression ? state.regDataset : state.dataset);
      b.hidden = !mine;
      b.classList.toggle("selected", chosen);
      b.setAttribute("aria-pressed", String(chosen));
    }
    for (const box of this.doc.querySelectorAll("input[data-display]")) box.checked = !!state[box.dataset.display];
    for (const el of this.doc.querySelectorAll("[data-hide-key]")) el.hidden = state.hidden.includes(el.dataset.hideKey);
    const hidden = state.networkShape.length;
    this.layerCount.textContent = String(hidden);
    this.doc.getElementById("layer-word").textContent = hidden === 1 ? "hidden layer" : "hidden layers";
    const maxLayers = (server && server.limits && server.limits.maxHiddenLayers) || this.boot.limits.maxHiddenLayers;
    this.doc.querySelector('[data-testid="add-layer"]').disabled = readOnly || hidden >= maxLayers;
    this.doc.querySelector('[data-testid="remove-layer"]').disabled = readOnly || hidden === 0;
    if (server) {
      this.setPlaying(server.playing);
      this.speed.value = String(server.speed);
    }
    this.showPace(server && server.playing ? server.pace : null);
    this.lock(locked);
  }

  /** A classroom's locks: each locked control stays in view, disabled, its holder marked `locked`. */
  lock(locked) {
    for (const holder of this.doc.querySelectorAll("[data-hide-key]")) {
      const name = holder.dataset.hideKey;
      const on = locked.includes(name);
      holder.classList.toggle("locked", on);
      if (!on) continue;
      const also = LOCKED_WITH[name] ? [this.doc.querySelector(LOCKED_WITH[name])] : [];
      for (const el of [holder, ...holder.querySelectorAll("button, select, input"), ...also]) {
        if (el.matches("button, select, input")) el.disabled = true;
      }
    }
  }

  /** The session's real pace beside the speed, when slower than it, and why (words.js). */
  showPace(pace) {
    if (!this.pace) return;
    const words = paceText(pace);
    this.pace.hidden = !words;
    this.pace.textContent = words ? words.text : "";
    this.pace.title = words ? words.title : "";
  }

  setPlaying(playing) {
    this.play.classList.toggle("playing", playing);
    this.play.setAttribute("aria-label", playing ? "Pause" : "Play");
  }

  setEpoch(epoch) {
    const text = formatEpoch(epoch);
    if (this.epoch.textContent !== text) this.epoch.textContent = text;
    this.epoch.dataset.epoch = String(epoch);
  }

  /** Put a server error next to the control that caused it; the banner takes the rest. */
  showError(error) {
    let field = ERROR_HOME[error.field] || error.field;
    if (FEATURE_KEYS.includes(field)) field = "features";
    const text = error.message || `${error.field}: ${error.allowed}`;
    let slot = field ? this.doc.querySelector(`[data-error-for="${CSS.escape(field)}"]`) : null;
    if (!slot || !slot.isConnected) slot = this.doc.querySelector('[data-testid="error-banner"]');
    slot.textContent = text;
    slot.hidden = false;
    slot.classList.add("shown");
    clearTimeout(this.errorTimers.get(slot));
    // An error stays long enough to read, then clears itself; the next change clears it at once.
    this.errorTimers.set(slot, setTimeout(() => this.hideSlot(slot), 10000));
  }

  clearError(field) {
    const slot = this.doc.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (slot) this.hideSlot(slot);
  }

  hideSlot(slot) {
    slot.textContent = "";
    slot.classList.remove("shown");
    if (slot.dataset.testid === "error-banner") slot.hidden = true;
  }
}

/** Each dataset button's picture, drawn from a local sample the right way up (y = +6 on top). */
export function paintDatasets(doc, samplePoints, toPixel, colorOf, classes = 2) {
  for (const canvas of doc.querySelectorAll("button.dataset canvas")) {
    const name = canvas.parentElement.dataset.dataset;
    const ctx = canvas.getContext("2d");
    const size = canvas.width;
    ctx.clearRect(0, 0, size, size);
    const n = name.startsWith("reg") ? 220 : 160;
    const points = (classes > 2 && classSamplePoints(name, classes, n)) || samplePoints(name, n);
    for (const [x, y, label] of points) {
      const [px, py] = toPixel(x, y, size);
      ctx.fillStyle = colorOf(label);
      ctx.beginPath();
      ctx.arc(px, py, 2, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/**
 * The controls on a store: the setup, the server's state, the number of training points and
 * read-only mode redraw them; the epoch and play button follow the newest state or frame.
 */
export function mountControls(doc, store, boot, actions) {
  const controls = new Controls(doc, boot, {
    onConfig: actions.config,
    onCommand: actions.command,
    onPlayPause: actions.playPause,
    onSpeed: actions.speed,
    onDisplay: actions.display,
    onLayers: actions.layers,
  });
  const diverged = doc.querySelector('[data-testid="diverged"]');
  const nTrain = (s) => (s.data ? s.data.train.length : null);
  watch(store, (s) => [s.setup, s.server, s.readOnly, nTrain(s), s.locked], ([setup, server, readOnly, n, locked]) => {
    if (n !== null) controls.nTrain = n;
    controls.render(setup, server, readOnly, locked);
  });
  watch(store, (s) => s.server, (server) => {
    if (!server) return;
    controls.setEpoch(server.epoch);
    diverged.hidden = !server.diverged;
  });
  watch(store, (s) => s.frame, (frame) => {
    if (!frame) return;
    controls.setEpoch(frame.epoch);
    controls.setPlaying(frame.playing);
    diverged.hidden = !frame.diverged;
  });
  watch(store, (s) => s.errors, (errors) => errors.length && controls.showError(errors[errors.length - 1]));
  const classesOf = (setup) => (manyClasses(setup) ? Number(setup.classes) : 2);
  watch(store, (s) => [paletteOf(s.setup), classesOf(s.setup)], ([palette, K]) =>
    paintDatasets(doc, samplePoints, toPixel, (v) => pointColor(v, palette, K > 2), K));
  return controls;
}
