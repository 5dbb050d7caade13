// The page's actions: store changes and messages, nothing sent while following someone else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pageActions, setWeightMessage } from "../../static/js/actions.js";
import { initialState } from "../../static/js/page-state.js";
import { parseHash } from "../../static/js/state.js";
import { writable } from "../../static/js/store.js";

const boot = { limits: { maxHiddenLayers: 6, maxNeurons: 8 } };

function page({ online = true, readOnly = false, sendFocus } = {}) {
  const store = writable({ ...initialState(parseHash("#networkShape=4,2")), readOnly });
  const sent = [];
  const actions = pageActions(store, (m) => (sent.push(m), online), boot, { sendFocus });
  return { store, sent, actions };
}

test("a control changes the setup at once and sends the partial config", () => {
  const { store, sent, actions } = page();
  actions.config({ learningRate: 0.3 });
  assert.equal(store.get().setup.learningRate, 0.3);
  assert.deepEqual(sent, [{ type: "config", config: { learningRate: 0.3 } }]);
  assert.equal(store.get().restorable, true);
});

test("offline, the change waits in the setup and the frame in hand no longer restores", () => {
  const { store, actions } = page({ online: false });
  actions.layers(1);
  assert.deepEqual(store.get().setup.networkShape, [4, 2, 2]);
  assert.equal(store.get().restorable, false);
});

test("layers, neurons and features change the network shape within the limits", () => {
  const { sent, actions } = page();
  actions.neurons(1, 1);
  actions.toggleFeature("xSquared");
  assert.deepEqual(sent.map((m) => m.config), [{ networkShape: [4, 3] }, { xSquared: true }]);
});

test("play or pause follows the server's state; step and reset are single messages", () => {
  const { store, sent, actions } = page();
  actions.playPause();
  store.update((s) => ({ ...s, server: { playing: true } }));
  actions.playPause();
  actions.step();
  actions.reset();
  assert.deepEqual(sent.map((m) => m.type), ["play", "pause", "step", "reset"]);
});

test("a read-only page changes no session but still changes its own display", () => {
  const { store, sent, actions } = page({ readOnly: true });
  actions.config({ noise: 10 });
  actions.playPause();
  actions.edit({ layer: 0, to: 0, from: 0 }, 1);
  actions.speed("max");
  actions.focus(3);
  actions.display("discretize", true);
  actions.projector();
  assert.deepEqual(sent, []);
  assert.equal(store.get().setup.noise, 0);
  assert.equal(store.get().focus, 3, "hovering still shows the neuron large");
  assert.equal(store.get().setup.discretize, true);
  assert.equal(store.get().setup.projector, true);
});

test("focus is asked of the server unless the page draws thumbnails large instead", () => {
  const asks = page();
  asks.actions.focus(2);
  assert.deepEqual(asks.sent, [{ type: "focus", node: 2 }]);
  const local = page({ sendFocus: false });
  local.actions.focus(2);
  assert.deepEqual(local.sent, []);
  assert.equal(local.store.get().focus, 2);
});

test("set_weight names a link by from, a bias by bias: true", () => {
  assert.deepEqual(setWeightMessage({ layer: 1, to: 0, from: 2 }, 0.5), { type: "set_weight", layer: 1, to: 0, from: 2, value: 0.5 });
  assert.deepEqual(setWeightMessage({ layer: 1, to: 0, bias: true }, -1), { type: "set_weight", layer: 1, to: 0, bias: true, value: -1 });
});
