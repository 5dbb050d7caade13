// The URL hash: one schema drives parse and serialise; original links survive a round trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseHash, serializeHash, configOf, withConfig, defaultState, gdModeOf, batchSizeFor, SCHEMA,
} from "../../static/js/state.js";

const DEFAULT_LINK =
  "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&" +
  "regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false&" +
  "discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&" +
  "ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&" +
  "problem=classification&initZero=false&hideText=false";

test("the spec's default link parses to the defaults and serialises back byte for byte", () => {
  const state = parseHash(DEFAULT_LINK);
  assert.equal(state.activation, "tanh");
  assert.equal(state.regularization, "none");
  assert.equal(state.batchSize, 10);
  assert.equal(state.learningRate, 0.03);
  assert.deepEqual(state.networkShape, [4, 2]);
  assert.equal(state.seed, "0.12345");
  assert.equal(state.x, true);
  assert.equal(state.xTimesY, false);
  assert.equal(serializeHash(state), DEFAULT_LINK);
});

test("every key round-trips, including hidden controls and display keys", () => {
  const state = defaultState();
  Object.assign(state, {
    activation: "relu", regularization: "L1", regularizationRate: 0.003, batchSize: 25,
    dataset: "spiral", learningRate: 0.00001, noise: 35, networkShape: [8, 8, 1], seed: "abc def",
    showTestData: true, discretize: true, percTrainData: 70, sinX: true, sinY: true,
    problem: "regression", regDataset: "reg-gauss", hideText: true, projector: true, colorblind: true,
    hidden: ["playButton", "noise"],
  });
  const hash = serializeHash(state);
  assert.match(hash, /regularization=L1&/);
  assert.match(hash, /learningRate=0.00001&/);
  assert.match(hash, /networkShape=8,8,1&/);
  assert.match(hash, /playButton_hide=true&noise_hide=true$/);
  assert.deepEqual(parseHash(hash), state);
});

test("keys come out in the original's order", () => {
  const hash = serializeHash(parseHash("#hideText=true&seed=1&activation=relu"));
  const keys = hash.slice(1).split("&").map((p) => p.split("=")[0]);
  const order = SCHEMA.map((p) => p.key).filter((k) => keys.includes(k));
  assert.deepEqual(keys, order);
  assert.equal(keys[0], "activation");
});

test("booleans: anything but 'false' is true; empty networkShape is no hidden layer", () => {
  const state = parseHash("#x=0&y=false&showTestData=&networkShape=");
  assert.equal(state.x, true);
  assert.equal(state.y, false);
  assert.equal(state.showTestData, true);
  assert.deepEqual(state.networkShape, []);
  assert.match(serializeHash(state), /networkShape=&/);
});

test("unknown keys are ignored and unparsable numbers keep the default", () => {
  const state = parseHash("#bogus=1&learningRate=abc&noise=&batchSize=12");
  assert.equal(state.learningRate, 0.03);
  assert.equal(state.noise, 0);
  assert.equal(state.batchSize, 12);
  assert.ok(!("bogus" in state));
});

test("configOf sends only the server's keys; withConfig takes the server's answer", () => {
  const state = parseHash("#seed=0.5&discretize=true&cosX=true");
  const config = configOf(state);
  assert.equal(config.seed, "0.5");
  assert.ok(!("discretize" in config));
  assert.ok(!("cosX" in config));
  assert.ok(!("hideText" in config));
  assert.ok(!("seed" in configOf(parseHash(""))), "no seed: the server picks one");
  const next = withConfig(state, { seed: "0.77777", networkShape: [3] });
  assert.equal(next.seed, "0.77777");
  assert.deepEqual(next.networkShape, [3]);
  assert.equal(next.discretize, true);
  assert.equal(state.seed, "0.5", "the old state is untouched");
});

test("server defaults override the table but never the seed", () => {
  const state = parseHash("", { learningRate: 0.1, seed: "0.9" });
  assert.equal(state.learningRate, 0.1);
  assert.equal(state.seed, "");
});

test("gradient-descent modes map to batch sizes and back", () => {
  assert.equal(batchSizeFor("stochastic", 10, 250, 2000), 1);
  assert.equal(batchSizeFor("batch", 10, 250, 2000), 250);
  assert.equal(batchSizeFor("batch", 10, 5000, 2000), 2000);
  assert.equal(batchSizeFor("mini-batch", 17, 250, 2000), 17);
  assert.equal(gdModeOf(1, 250), "stochastic");
  assert.equal(gdModeOf(250, 250), "batch");
  assert.equal(gdModeOf(10, 250), "mini-batch");
});
