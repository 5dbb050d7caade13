// The instructor's challenge form read into a push: goals, limits, features, or a reason in words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { challengeFromForm } from "../../static/classroom/challenge-form.js";

const BOOT = {
  features: ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"].map((key) => ({ key })),
  regDatasets: ["reg-plane", "reg-gauss"],
  limits: { maxHiddenLayers: 6, maxNeurons: 8 },
};
const ROOM = { problem: "classification", dataset: "circle", regDataset: "reg-plane", networkShape: [8, 8], x: true, y: true, xSquared: true, ySquared: false, xTimesY: false, sinX: false, sinY: false };
const ALL = BOOT.features.map((f) => f.key);
const form = (values) => ({ dataset: "spiral", goal: "", target: "", maxNeurons: "6", maxLayers: "", features: ALL, leaderboard: true, ...values });

test("the default challenge: a dataset, a neuron limit, the room's network fitted to it", () => {
  const { challenge } = challengeFromForm(form({}), ROOM, BOOT);
  assert.deepEqual(challenge.constraints, { maxNeurons: 6 });
  assert.equal(challenge.goal, null);
  assert.equal(challenge.leaderboard, true);
  assert.equal(challenge.config.dataset, "spiral");
  assert.equal(challenge.config.problem, "classification");
  assert.deepEqual(challenge.config.networkShape, [3, 3]);
});

test("goals: test loss, accuracy in percent sent as a fraction, fewest weights", () => {
  assert.deepEqual(challengeFromForm(form({ goal: "testLoss", target: "0.1" }), ROOM, BOOT).challenge.goal, { kind: "testLoss", target: 0.1 });
  assert.deepEqual(challengeFromForm(form({ goal: "accuracy", target: "95" }), ROOM, BOOT).challenge.goal, { kind: "accuracy", target: 0.95 });
  assert.deepEqual(challengeFromForm(form({ goal: "fewestWeights", target: "0.05" }), ROOM, BOOT).challenge.goal, { kind: "fewestWeights", target: 0.05 });
});

test("limits and features: only what is narrower than everything", () => {
  const { challenge } = challengeFromForm(form({ maxNeurons: "", maxLayers: "1", features: ["x", "y"] }), ROOM, BOOT);
  assert.deepEqual(challenge.constraints, { maxLayers: 1, features: ["x", "y"] });
  assert.deepEqual(challenge.config.networkShape, [8]);
  assert.equal(challenge.config.xSquared, false, "a feature not allowed is off");
  const regression = challengeFromForm(form({ dataset: "reg-gauss" }), ROOM, BOOT).challenge.config;
  assert.equal(regression.problem, "regression");
  assert.equal(regression.regDataset, "reg-gauss");
  assert.ok(!("dataset" in challengeFromForm(form({ dataset: "" }), ROOM, BOOT).challenge.config), "the room's dataset as it is");
});

test("what cannot be pushed says why, in words", () => {
  const error = (values) => challengeFromForm(form(values), ROOM, BOOT).error;
  assert.equal(error({ goal: "testLoss", target: "" }), "Test loss at most: a number above 0, such as 0.1.");
  assert.equal(error({ goal: "testLoss", target: "-1" }), "Test loss at most: a number above 0, such as 0.1.");
  assert.equal(error({ goal: "accuracy", target: "120" }), "Test accuracy at least: a percentage above 0, at most 100.");
  assert.match(error({ goal: "accuracy", target: "90", dataset: "reg-plane" }), /^Accuracy is for classification/);
  assert.equal(error({ maxNeurons: "2.5" }), "Neurons in all, at most: a whole number from 0 to 48, or nothing for no limit.");
  assert.equal(error({ maxLayers: "7" }), "Hidden layers, at most: a whole number from 0 to 6, or nothing for no limit.");
  assert.equal(error({ features: [] }), "Allow at least one feature.");
});
