// A pushed challenge in words: the dataset, the limits, the features by their labels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeChallenge } from "../../static/classroom/challenge.js";
import { sortStudents } from "../../static/classroom/gallery.js";

test("a challenge reads as a sentence, limits in words, no internal keys", () => {
  const text = describeChallenge(
    { config: { problem: "classification", dataset: "spiral" }, constraints: { maxNeurons: 6, maxLayers: 1, features: ["x", "y"] } },
    { x: "X1", y: "X2" },
  );
  assert.equal(text, "Challenge: the spiral dataset, at most 6 neurons in all, at most 1 hidden layer, only the features X1 and X2. Lowest test loss wins.");
  assert.ok(!/maxNeurons|networkShape|percTrainData/.test(text));
});

test("a regression challenge names its regression dataset; no limits, no list", () => {
  const text = describeChallenge({ config: { problem: "regression", dataset: "circle", regDataset: "reg-gauss" } });
  assert.equal(text, "Challenge: the reg-gauss dataset. Lowest test loss wins.");
  const one = describeChallenge({ config: { dataset: "xor" }, constraints: { maxNeurons: 1, features: ["sinX"] } }, { sinX: "sin(X1)" });
  assert.equal(one, "Challenge: the xor dataset, at most 1 neuron in all, only the feature sin(X1). Lowest test loss wins.");
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
