// What the page sends on (re)connect, layer edits, and how it recognises the answer to its config.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PERSON_KEY, answers, changeLayers, changeNeurons, nested, nodeCaption, openingMessages, personId } from "../../static/js/session.js";
import { parseHash } from "../../static/js/state.js";

const frame = {
  layers: [2, 1, 1],
  epoch: 42,
  weights: [new Float32Array([0.5, -0.25]), new Float32Array([2])],
  biases: [new Float32Array([0.125]), new Float32Array([-1])],
  dead: [new Uint8Array([0, 1]), new Uint8Array([0])],
};

test("a reconnect with a frame restores that frame's weights, epoch and config", () => {
  const state = parseHash("#seed=0.5&networkShape=1");
  const [restore, speed, play] = openingMessages({
    state, frame, isReconnect: true, speed: "max", defaultSpeed: 60, playing: true,
  });
  assert.equal(restore.type, "restore");
  assert.equal(restore.epoch, 42);
  assert.equal(restore.config.seed, "0.5");
  assert.deepEqual(restore.weights, [[[0.5, -0.25]], [[2]]]);
  assert.deepEqual(restore.biases, [[0.125], [-1]]);
  assert.deepEqual(restore.dead, [[[false, true]], [[false]]]);
  assert.deepEqual(speed, { type: "speed", eps: "max" });
  assert.deepEqual(play, { type: "play" });
});

test("a first visit sends the hash's config first; without a hash, the defaults and no seed", () => {
  const state = parseHash("#seed=1&activation=relu");
  const [config] = openingMessages({ state, frame: null, isReconnect: false, speed: 300, defaultSpeed: 60 });
  assert.equal(config.type, "config");
  assert.equal(config.config.activation, "relu");
  assert.equal(config.config.seed, "1");
  const [plain, ...rest] = openingMessages({ state: parseHash("", { activation: "tanh" }), frame: null, isReconnect: false });
  assert.equal(plain.type, "config", "the server builds the session from the page's first message");
  assert.equal(plain.config.activation, "tanh");
  assert.ok(!("seed" in plain.config), "without a seed in the URL the server picks one");
  assert.deepEqual(rest, []);
});

test("a reconnect without a frame in hand, or a stale one, sends the config first", () => {
  const state = parseHash("#seed=2");
  const messages = openingMessages({ state, frame: null, isReconnect: true, speed: 60, defaultSpeed: 60, playing: true });
  assert.deepEqual(messages.map((m) => m.type), ["config", "play"]);
});

test("a handoff replaces the config on a first visit only", () => {
  const handoff = { type: "restore", config: {}, epoch: 3, weights: [], biases: [] };
  const state = parseHash("#seed=2");
  assert.equal(openingMessages({ state, frame: null, isReconnect: false, handoff })[0], handoff);
  assert.equal(openingMessages({ state, frame, isReconnect: true, handoff })[0].type, "restore");
  assert.equal(openingMessages({ state, frame, isReconnect: true, handoff })[0].epoch, 42, "the frame in hand, not the handoff");
});

test("layers and neurons stay inside the limits; a new layer has two neurons", () => {
  assert.deepEqual(changeLayers([4, 2], 1, 6), [4, 2, 2]);
  assert.deepEqual(changeLayers([4, 2], -1, 6), [4]);
  assert.deepEqual(changeLayers([], -1, 6), []);
  assert.deepEqual(changeLayers([1, 1, 1, 1, 1, 1], 1, 6), [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(changeNeurons([4, 2], 0, 1, 8), [5, 2]);
  assert.deepEqual(changeNeurons([8, 1], 0, 1, 8), [8, 1]);
  assert.deepEqual(changeNeurons([8, 1], 1, -1, 8), [8, 1]);
});

test("the server's answer matches what was sent, except a clamped batch size", () => {
  const sent = { seed: "0.5", networkShape: [3], batchSize: 2000, learningRate: 0.1 };
  assert.ok(answers(sent, { seed: "0.5", networkShape: [3], batchSize: 250, learningRate: 0.1, noise: 0 }));
  assert.ok(!answers(sent, { seed: "0.9", networkShape: [3], batchSize: 250, learningRate: 0.1 }));
  assert.ok(!answers(sent, { seed: "0.5", networkShape: [4, 2], batchSize: 10, learningRate: 0.1 }));
});

test("captions name inputs and hidden neurons; the output has none", () => {
  const layers = [2, 3, 1];
  assert.equal(nodeCaption(null, layers, ["x", "y"], {}), "");
  assert.equal(nodeCaption(1, layers, ["x", "y"], { y: "X2" }), "Input X2");
  assert.equal(nodeCaption(4, layers, ["x", "y"], {}), "Neuron 3 of hidden layer 1");
  assert.equal(nodeCaption(5, layers, ["x", "y"], {}), "");
  assert.deepEqual(nested(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3), [[1, 2, 3], [4, 5, 6]]);
});

test("the first opening message carries the page's person id; the others do not", () => {
  const state = parseHash("#seed=2");
  const [config, play] = openingMessages({ state, frame: null, isReconnect: true, playing: true, person: "abcdef0123" });
  assert.equal(config.person, "abcdef0123");
  assert.ok(!("person" in play));
  const [restore] = openingMessages({ state, frame, isReconnect: true, person: "abcdef0123" });
  assert.equal(restore.person, "abcdef0123");
  assert.ok(!("person" in openingMessages({ state, frame: null, isReconnect: false })[0]));
});

test("a person id is made once and kept; refused storage gives none", () => {
  const kept = new Map();
  const storage = { getItem: (k) => kept.get(k) ?? null, setItem: (k, v) => kept.set(k, v) };
  let made = 0;
  const make = () => `id-number-${++made}`;
  assert.equal(personId(storage, make), "id-number-1");
  assert.equal(personId(storage, make), "id-number-1");
  assert.equal(kept.get(PERSON_KEY), "id-number-1");
  kept.set(PERSON_KEY, "bad id!");
  assert.equal(personId(storage, make), "id-number-2", "a broken id is replaced");
  assert.equal(personId(null, make), null);
  const refusing = { getItem: () => { throw new Error("denied"); } };
  assert.equal(personId(refusing, make), null);
  assert.match(personId({ getItem: () => null, setItem: () => {} }), /^[0-9a-f]{32}$/);
});
