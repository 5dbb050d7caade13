// The instructor's locks on a student's page: in words, and a forbidden message refused before it leaves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeLocks, lockFor, lockRefusal } from "../../static/classroom/locks.js";

const LABELS = { playButton: "Play and pause", learningRate: "Learning rate", numHiddenLayers: "Hidden layers and neurons", features: "Features" };

test("the locks in words, as the lock list labels them", () => {
  assert.equal(describeLocks([], LABELS), "");
  assert.equal(describeLocks(["learningRate"], LABELS), "Locked by the instructor: Learning rate.");
  assert.equal(describeLocks(["learningRate", "playButton", "features"], LABELS), "Locked by the instructor: Learning rate, Play and pause and Features.");
});

test("a lock forbids its messages, and config changes of its keys only", () => {
  const current = { learningRate: 0.03, networkShape: [4, 2], x: true };
  assert.deepEqual(lockFor({ type: "play" }, ["playButton"], current), { name: "playButton", field: "play" });
  assert.deepEqual(lockFor({ type: "speed", eps: 10 }, ["playButton"], current), { name: "playButton", field: "speed" });
  assert.equal(lockFor({ type: "step" }, ["playButton"], current), null);
  assert.equal(lockFor({ type: "config", config: { learningRate: 0.03 } }, ["learningRate"], current), null, "an unchanged value passes");
  assert.deepEqual(lockFor({ type: "config", config: { learningRate: 0.1 } }, ["learningRate"], current), { name: "learningRate", field: "learningRate" });
  assert.equal(lockFor({ type: "config", config: { networkShape: [4, 2] } }, ["numHiddenLayers"], current), null);
  assert.deepEqual(lockFor({ type: "config", config: { networkShape: [4, 3] } }, ["numHiddenLayers"], current), { name: "numHiddenLayers", field: "networkShape" });
  assert.deepEqual(lockFor({ type: "set_weight", layer: 0, to: 0, from: 0, value: 1 }, ["weights"], current), { name: "weights", field: "set_weight" });
  assert.equal(lockFor({ type: "ack", seq: 3 }, ["playButton", "weights"], current), null);
});

test("a refusal reads as the page labels its controls, never a key", () => {
  const error = lockRefusal({ type: "config", config: { networkShape: [5, 2] } }, ["numHiddenLayers"], { networkShape: [4, 2] }, LABELS);
  assert.equal(error.type, "error");
  assert.equal(error.field, "networkShape");
  assert.equal(error.message, "Hidden layers and neurons is locked by the instructor.");
  assert.equal(lockRefusal({ type: "pause" }, ["playButton"], {}, LABELS).message, "Play and pause is locked by the instructor.");
  assert.equal(lockRefusal({ type: "pause" }, [], {}, LABELS), null);
});
