/** Wires the page: the connection, the state and its URL hash, and the views. */

import { PALETTES, cssColor } from "./colors.js";
import { Connection } from "./connection.js";
import { samplePoints, toPixel } from "./datasets.js";
import { formatLoss, thumbOf } from "./frame.js";
import { mountInspector } from "./inspector.js";
import { pageStorage, takeHandoff } from "./handoff.js";
import { answers, changeLayers, changeNeurons, nodeCaption, openingMessages } from "./session.js";
import { configOf, parseHash, serializeHash, withConfig } from "./state.js";
import { LossChart } from "./views/chart.js";
import { Controls, paintDatasets } from "./views/controls.js";
import { Heatmap } from "./views/heatmap.js";
import { Help } from "./views/help.js";
import { NetworkView } from "./views/network.js";

const doc = document;
const boot = JSON.parse(doc.getElementById("boot").textContent);
const labels = Object.fromEntries(boot.features.map((f) => [f.key, f.label.replace(/_/g, "").replace("^2", "²")]));
const app = {
  state: parseHash(location.hash, boot.defaults),
  server: null,
  data: null,
  frame: null,
  focus: null,
  stats: { frames: 0, connects: 0, framesThisConnect: 0, drawMs: 0 },
  errors: [], // the last few server errors, newest last (the page shows each by its control)
  opened: [], // what the page sent when the socket last opened
};
window.playground = app;
const hashGiven = location.hash.length > 1;

const send = (message) => conn.send(message);
const sendConfig = (partial) => {
  app.state = { ...app.state, ...partial };
  writeHash();
  controls.render(app.state, app.server);
  // Offline, the change waits in the URL; the weights in hand no longer fit it, so the
  // reconnect sends the config rather than restoring them.
  if (!send({ type: "config", config: partial })) app.frame = null;
};

const controls = new Controls(doc, boot, {
  onConfig: sendConfig,
  onCommand: (type) => send({ type }),
  onSpeed: (eps) => send({ type: "speed", eps }),
  onDisplay: (key, value) => setDisplay(key, value),
  onLayers: (delta) => sendConfig({ networkShape: changeLayers(app.state.networkShape, delta, limits().maxHiddenLayers) }),
});
const network = new NetworkView(doc.getElementById("network"), boot.features.map((f) => ({ key: f.key, text: labels[f.key] })), {
  onToggleFeature: (key) => sendConfig({ [key]: !app.state[key] }),
  onNeurons: (h, delta) => sendConfig({ networkShape: changeNeurons(app.state.networkShape, h, delta, limits().maxNeurons) }),
  onFocus: (node) => {
    app.focus = node;
    send({ type: "focus", node });
    if (app.frame) drawHeatmap(app.frame);
  },
  onEdit: (t, value) => send(t.bias ? { type: "set_weight", layer: t.layer, to: t.to, bias: true, value } : { type: "set_weight", layer: t.layer, to: t.to, from: t.from, value }),
});
const heatmap = new Heatmap(doc.querySelector('[data-testid="heatmap"]'));
const chart = new LossChart(doc.querySelector('[data-testid="loss-chart"]'), boot.limits.maxHistory);
const status = doc.querySelector('[data-testid="connection-status"]');
const diverged = doc.querySelector('[data-testid="diverged"]');
const trainLoss = doc.querySelector('[data-testid="train-loss"]');
const testLoss = doc.querySelector('[data-testid="test-loss"]');
new Help(doc, {
  playPause: () => send({ type: app.server && app.server.playing ? "pause" : "play" }),
  step: () => send({ type: "step" }),
  reset: () => send({ type: "reset" }),
  projector: () => setDisplay("projector", !app.state.projector),
});

function limits() {
  return (app.server && app.server.limits) || boot.limits;
}

function writeHash() {
  const hash = serializeHash(app.state);
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

function setDisplay(key, value) {
  app.state = { ...app.state, [key]: value };
  writeHash();
  applyDisplay();
}

function applyDisplay() {
  const { state } = app;
  doc.body.classList.toggle("projector", state.projector);
  doc.body.classList.toggle("hide-text", state.hideText);
  const projector = doc.getElementById("projector");
  projector.setAttribute("aria-pressed", String(state.projector));
  doc.getElementById("colorblind").checked = state.colorblind;
  const palette = state.colorblind ? PALETTES.colorblind : PALETTES.default;
  doc.body.style.setProperty("--neg", palette[0]);
  doc.body.style.setProperty("--mid", palette[1]);
  doc.body.style.setProperty("--pos", palette[2]);
  heatmap.setOptions({ palette, discretize: state.discretize, showTest: state.showTestData });
  if (network.palette !== palette) network.setPalette(palette);
  paintDatasets(doc, samplePoints, toPixel, (v) => cssColor(v, palette));
  controls.render(state, app.server);
  network.relayout();
  if (app.frame) drawFrame(app.frame);
}

function drawHeatmap(frame) {
  const wanted = app.focus === null ? -1 : app.focus;
  const caption = nodeCaption(app.focus, frame.layers, app.server ? app.server.inputs : [], labels);
  if (frame.focus === wanted) heatmap.drawGrid(frame.grid, frame.gridSize, caption);
  else heatmap.drawGrid(thumbOf(frame, wanted < 0 ? frame.layers.reduce((a, b) => a + b) - 1 : wanted), frame.thumbSize, caption);
}

function drawFrame(frame) {
  app.frame = frame;
  controls.setEpoch(frame.epoch);
  controls.setPlaying(frame.playing);
  trainLoss.textContent = formatLoss(frame.trainLoss);
  testLoss.textContent = formatLoss(frame.testLoss);
  chart.add(frame.history);
  chart.draw();
  network.update(frame);
  drawHeatmap(frame);
  diverged.hidden = !frame.diverged;
}

function onFrame(frame) {
  // Frames of the session's greeting, before it took our config, would show the wrong run.
  if (app.expect) {
    app.skippedFrame = frame;
    return;
  }
  const start = performance.now();
  app.stats.frames += 1;
  app.stats.framesThisConnect += 1;
  drawFrame(frame);
  app.stats.drawMs += performance.now() - start;
}

const OPENING = new Set(["config", "restore", null]);

function onJson(message) {
  if (message.type === "state") {
    if (app.expect && !answers(app.expect, message.config)) {
      app.skipped = message;
      return;
    }
    app.expect = null;
    app.skipped = null;
    app.skippedFrame = null;
    app.server = message;
    app.state = withConfig(app.state, message.config);
    writeHash();
    if (message.epoch === 0) chart.clear();
    controls.render(app.state, message);
    controls.setEpoch(message.epoch);
    network.setShape(message.layers, message.inputs, message.limits.maxNeurons);
    diverged.hidden = !message.diverged;
  } else if (message.type === "data") {
    // `data` follows the `state` of the same change: that state's seed made these points.
    app.data = { train: message.train, test: message.test, seed: app.server ? app.server.config.seed : null };
    heatmap.setPoints(message.train, message.test);
    controls.setTrainCount(message.train.length);
  } else if (message.type === "error") {
    app.errors = [...app.errors.slice(-9), message];
    controls.showError(message);
    // Only a refusal of the opening config or restore ends the wait for its state; an error
    // about anything else (a late ack, say) must not make the page adopt the greeting session.
    if (app.expect && !OPENING.has(message.request)) return;
    // A refused opening config leaves the session as it is: take its state from now on.
    app.expect = null;
    if (app.skipped) {
      const frame = app.skippedFrame;
      onJson(app.skipped);
      if (frame) onFrame(frame);
    } else if (app.server) {
      app.state = withConfig(app.state, app.server.config);
      writeHash();
      controls.render(app.state, app.server);
    }
  }
}

const conn = new Connection(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`, {
  onOpen: (isReconnect) => {
    app.stats.connects += 1;
    app.stats.framesThisConnect = 0;
    const server = app.server;
    const messages = openingMessages({
      state: app.state, frame: app.frame, isReconnect, hashGiven,
      speed: server ? server.speed : undefined, defaultSpeed: boot.defaultSpeed, playing: server && server.playing,
      // A network handed over by the classroom, taken once and only if made for this URL's config.
      handoff: isReconnect ? null : takeHandoff(pageStorage(), configOf(app.state), Date.now()),
    });
    const opening = messages.find((m) => m.type === "config" || m.type === "restore");
    app.expect = opening ? opening.config : null;
    app.opened = messages.map((m) => m.type);
    for (const m of messages) send(m);
  },
  onJson,
  onFrame,
  onStatus: (state, detail) => {
    status.dataset.state = state;
    status.textContent = state === "connected" ? "connected" : state === "connecting" ? "connecting…" : `offline, ${detail}`;
  },
});

addEventListener("hashchange", () => {
  const next = parseHash(location.hash, boot.defaults);
  app.state = next;
  applyDisplay();
  send({ type: "config", config: Object.fromEntries(Object.entries(next).filter(([k]) => k in (app.server?.config || {}))) });
});
addEventListener("resize", () => {
  network.relayout();
  heatmap.drawPoints();
  if (app.frame) drawFrame(app.frame);
});
doc.getElementById("projector").addEventListener("click", () => setDisplay("projector", !app.state.projector));
doc.getElementById("colorblind").addEventListener("change", (e) => setDisplay("colorblind", e.target.checked));

applyDisplay();
mountInspector(doc.getElementById("inspector-slot"), conn);
conn.connect();
