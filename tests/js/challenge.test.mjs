// A pushed challenge in words, the config it starts from, and the page's check of its limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { challengeConfig, describeChallenge, describeGoal, fitShape, limitBroken } from "../../static/classroom/challenge.js";
import { sortStudents } from "../../static/classroom/gallery.js";

const LABELS = { x: "X1", y: "X2", xSquared: "X1²", ySquared: "X2²", xTimesY: "X1X2", sinX: "sin(X1)", sinY: "sin(X2)" };
const FEATURES = Object.keys(LABELS);
const INTERNAL = /maxNeurons|maxLayers|networkShape|percTrainData|xSquared|sinX|testLoss|fewestWeights/;

test("a challenge reads as a sentence, limits in words, no internal keys", () => {
  const text = describeChallenge(
    { config: { problem: "classification", dataset: "spiral" }, constraints: { maxNeurons: 6, maxLayers: 1, features: ["x", "y"] } },
    LABELS,
  );
  assert.equal(text, "Challenge: the spiral dataset, at most 6 neurons in all, at most 1 hidden layer, only the features X1 and X2. Lowest test loss wins.");
  assert.ok(!INTERNAL.test(text));
});

test("a regression challenge names its regression dataset; no limits, no list", () => {
  const text = describeChallenge({ config: { problem: "regression", dataset: "circle", regDataset: "reg-gauss" } });
  assert.equal(text, "Challenge: the reg-gauss dataset. Lowest test loss wins.");
  const one = describeChallenge({ config: { dataset: "xor" }, constraints: { maxNeurons: 1, features: ["sinX"] } }, LABELS);
  assert.equal(one, "Challenge: the xor dataset, at most 1 neuron in all, only the feature sin(X1). Lowest test loss wins.");
});

test("goals in words, as the server says them", () => {
  assert.equal(describeGoal(null), "the lowest test loss");
  assert.equal(describeGoal({ kind: "testLoss", target: 0.1 }), "test loss at most 0.1");
  assert.equal(describeGoal({ kind: "accuracy", target: 0.95 }), "test accuracy at least 95 %");
  assert.equal(describeGoal({ kind: "accuracy", target: 0.333 }), "test accuracy at least 33.3 %");
  assert.equal(describeGoal({ kind: "fewestWeights", target: 0.05 }), "the fewest weights reaching test loss at most 0.05");
  const text = describeChallenge({ config: { dataset: "circle" }, constraints: { maxNeurons: 6 }, goal: { kind: "accuracy", target: 0.9 } });
  assert.equal(text, "Challenge: the circle dataset, at most 6 neurons in all. Goal: test accuracy at least 90 %; the first to reach it ranks highest.");
  assert.ok(!INTERNAL.test(text));
});

test("a network fitted to the limits: extra layers go, then the largest layer shrinks", () => {
  assert.deepEqual(fitShape([4, 2], { maxNeurons: 6 }), [4, 2]);
  assert.deepEqual(fitShape([8, 8], { maxNeurons: 6 }), [3, 3]);
  assert.deepEqual(fitShape([4, 2, 2], { maxLayers: 2, maxNeurons: 4 }), [2, 2]);
  assert.deepEqual(fitShape([1, 3], { maxNeurons: 2 }), [1, 1]);
  assert.deepEqual(fitShape([4, 2], { maxNeurons: 0 }), []);
  assert.deepEqual(fitShape([4, 2], {}), [4, 2]);
});

test("a challenge's config keeps its own limits, features included", () => {
  const config = { networkShape: [8, 8], x: true, y: true, xSquared: true, dataset: "circle" };
  const out = challengeConfig(config, { dataset: "spiral" }, { maxNeurons: 6, features: ["x", "y", "sinX"] }, FEATURES);
  assert.deepEqual(out.networkShape, [3, 3]);
  assert.equal(out.dataset, "spiral");
  assert.deepEqual(FEATURES.filter((f) => out[f]), ["x", "y"], "the allowed ones that were on stay on");
  const none = challengeConfig(config, {}, { features: ["sinX", "sinY"] }, FEATURES);
  assert.deepEqual(FEATURES.filter((f) => none[f]), ["sinX", "sinY"], "none allowed was on: all allowed ones");
  assert.equal(limitBroken({ ...config, ...out }, { maxNeurons: 6, features: ["x", "y", "sinX"] }, LABELS), null);
});

test("a change past the limits is told in words", () => {
  const limits = { maxNeurons: 6, maxLayers: 2, features: ["x", "y"] };
  const base = { networkShape: [4, 2], x: true, y: true };
  assert.equal(limitBroken(base, limits, LABELS), null);
  assert.equal(limitBroken({ ...base, networkShape: [5, 2] }, limits, LABELS), "This challenge allows at most 6 neurons in all; that network has 7 neurons.");
  assert.equal(limitBroken({ ...base, networkShape: [1, 1, 1] }, limits, LABELS), "This challenge allows at most 2 hidden layers; that network has 3 hidden layers.");
  const feature = limitBroken({ ...base, xSquared: true }, limits, LABELS);
  assert.equal(feature, "This challenge allows only the features X1 and X2, not X1².");
  assert.ok(!INTERNAL.test(feature));
});

test("the gallery sorts by name, or by test loss with students without one last", () => {
  const students = [
    { id: "b", name: "Bo", testLoss: 0.2 },
    { id: "a", name: "Ana", testLoss: null },
    { id: "c", name: "Cy", testLoss: 0.1 },
  ];
  assert.deepEqual(sortStudents(students, "name").map((s) => s.id), ["a", "b", "c"]);
  assert.deepEqual(sortStudents(students, "loss").map((s) => s.id), ["c", "b", "a"]);
});

test("a gallery tile says what the student has and whether they are here", async () => {
  const { tileText } = await import("../../static/classroom/gallery.js");
  assert.equal(tileText({ name: "Ana", connected: true, layers: null, epoch: 0 }), "following you");
  assert.equal(tileText({ name: "Ana", connected: true, layers: [2, 4, 1], epoch: 120, testLoss: 0.1234 }), "2-4-1 · 000,120 · test 0.123");
  assert.equal(tileText({ name: "Bo", connected: false, layers: null }), "following you · not connected");
});

test("a push asks first only when it would throw work or results away", async () => {
  const { pushLoses } = await import("../../static/classroom/challenge.js");
  const following = { layers: null, epoch: 0 };
  const fresh = { layers: [2, 4, 1], epoch: 0 };
  const trained = { layers: [2, 4, 1], epoch: 12 };
  assert.equal(pushLoses([following, fresh], null), null);
  assert.equal(pushLoses([following], { entries: [] }), null);
  assert.equal(pushLoses([trained, fresh], null), "This push replaces the own network one student has trained. Push anyway?");
  assert.equal(
    pushLoses([trained, trained], { entries: [{ name: "Ana" }] }),
    "This push replaces the own networks 2 students have trained and starts the leaderboard afresh (download the results first to keep them). Push anyway?",
  );
});
