// Issue 12's pure parts: the new hash keys, metrics in frames, class colours, drawing, model files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHash, serializeHash, configOf } from "../../static/js/state.js";
import { accuracyOf, decodeFrame } from "../../static/js/frame.js";
import { CLASS_COLORS, classLut, className, manyClasses } from "../../static/js/classes.js";
import { planePoint, pointMessage, ERASE_RADIUS } from "../../static/js/views/draw.js";
import { importMessage, moreValue, stopNote } from "../../static/js/views/more.js";
import { restoreOf } from "../../static/js/session.js";

const DEFAULT_LINK =
  "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&" +
  "regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false&" +
  "discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&" +
  "ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&" +
  "problem=classification&initZero=false&hideText=false";

test("the new keys stay out of a link at their defaults, so the original's round-trips", () => {
  assert.equal(serializeHash(parseHash(DEFAULT_LINK)), DEFAULT_LINK);
  const config = configOf(parseHash(DEFAULT_LINK));
  assert.equal(config.classes, 2);
  assert.equal(config.loss, "squared");
  assert.equal(config.optimizer, "sgd");
  assert.equal(config.stopEpoch, 0);
});

test("the new keys are written after the original's when they differ, and read back", () => {
  const link = DEFAULT_LINK + "&classes=3&loss=crossEntropy&optimizer=adam&beta1=0.8&stopEpoch=300" +
    "&stopTestLoss=0.177&draw=true&classes_hide=true&exportModel_hide=true";
  const state = parseHash(link);
  assert.equal(state.classes, 3);
  assert.equal(state.beta1, 0.8);
  assert.equal(state.stopTestLoss, 0.177);
  assert.equal(state.draw, true);
  assert.deepEqual(state.hidden, ["classes", "exportModel"]);
  assert.equal(serializeHash(state), link);
  assert.equal("draw" in configOf(state), false); // drawing is the page's, not the server's
});

function frameWithMetrics(section) {
  // L = 2 layers [1, 1]: header, layer sizes, pad, 1 weight, 1 bias, 1 dead byte, pad, grid 1x1, thumbs 2 x 1x1.
  const size = 44 + 4 + 8 + 8 + 4 + 1 + 2;
  const buffer = new ArrayBuffer(((size + 3) & ~3) + section.byteLength);
  const view = new DataView(buffer);
  [..."NNPF"].forEach((c, i) => view.setUint8(i, c.charCodeAt(0)));
  view.setUint8(4, 1);
  view.setUint8(5, 4);
  view.setUint16(6, 2, true);
  view.setUint16(32, 1, true);
  view.setUint16(34, 1, true);
  view.setUint16(44, 1, true);
  view.setUint16(46, 1, true);
  new Uint8Array(buffer, (size + 3) & ~3).set(new Uint8Array(section));
  return buffer;
}

test("a frame's metrics section decodes to confusion matrices or R²", () => {
  const section = new DataView(new ArrayBuffer(4 + 8 * 4));
  section.setUint8(0, 1);
  section.setUint8(1, 2);
  [3, 1, 0, 4, 5, 0, 1, 2].forEach((n, i) => section.setUint32(4 + 4 * i, n, true));
  const frame = decodeFrame(frameWithMetrics(section.buffer));
  assert.deepEqual(frame.metrics, { classes: 2, confusion: [[[3, 1], [0, 4]], [[5, 0], [1, 2]]] });
  assert.equal(accuracyOf(frame.metrics.confusion[1]), 7 / 8);
  assert.ok(Number.isNaN(accuracyOf([[0, 0], [0, 0]])));
  const r2 = new DataView(new ArrayBuffer(20));
  r2.setUint8(0, 2);
  r2.setFloat64(4, 0.5, true);
  r2.setFloat64(12, NaN, true);
  const reg = decodeFrame(frameWithMetrics(r2.buffer));
  assert.equal(reg.metrics.r2[0], 0.5);
  assert.ok(Number.isNaN(reg.metrics.r2[1]));
});

test("eight colour-blind-safe class colours; the picture's bytes follow class and confidence", () => {
  assert.equal(new Set(CLASS_COLORS).size, 8);
  const lut = classLut();
  assert.notEqual(lut[0], lut[30]); // unsure and sure of class 0 differ
  assert.notEqual(lut[30], lut[32 + 30]); // two classes differ
  assert.equal(lut[255], classLut()[255]);
  assert.equal(classLut(true)[0], classLut(true)[30]); // discretized: one colour per class
  assert.equal(manyClasses({ problem: "classification", classes: 3 }), true);
  assert.equal(manyClasses({ problem: "regression", classes: 3 }), false);
  assert.equal(className(1, 3, ["cat", "dog", "bird"]), "dog");
  assert.equal(className(0, 2), "class 0 (orange)");
});

test("a click on the picture is a point of the plane; the message adds or erases there", () => {
  const box = { left: 100, top: 50, width: 240, height: 240 };
  assert.deepEqual(planePoint(220, 170, box), [0, 0]);
  assert.deepEqual(planePoint(100, 50, box), [-6, 6]);
  assert.deepEqual(planePoint(400, 400, box), [6, -6]);
  assert.deepEqual(pointMessage(1, 2, { erase: false, regression: false, drawClass: 2 }), { type: "points", add: [[1, 2, 2]] });
  assert.deepEqual(pointMessage(1, 2, { erase: false, regression: true, value: -0.5 }), { type: "points", add: [[1, 2, -0.5]] });
  assert.deepEqual(pointMessage(1, 2, { erase: true }), { type: "points", erase: [1, 2, ERASE_RADIUS] });
});

test("a model file too large to send loses its points, then its oldest loss history", () => {
  const model = { config: {}, weights: [[[1]]], data: { train: Array(200).fill([1, 2, 3]) }, history: Array.from({ length: 100 }, (_, i) => [i + 1, 0.5, 0.5]) };
  assert.deepEqual(importMessage(model, 1e6), { type: "import", model });
  const fitted = importMessage(model, 1000);
  assert.equal("data" in fitted.model, false);
  assert.ok(fitted.model.history.length < 100 && fitted.model.history.at(-1)[0] === 100);
  assert.ok(JSON.stringify(fitted).length <= 1000);
  assert.equal(importMessage({ ...model, weights: "x".repeat(2000) }, 1000), null);
});

test("stop fields: empty is off; the note says what was reached", () => {
  assert.equal(moreValue("stopEpoch", ""), 0);
  assert.equal(moreValue("stopTestLoss", "0.177"), 0.177);
  assert.equal(moreValue("classes", "5"), 5);
  assert.equal(moreValue("loss", "crossEntropy"), "crossEntropy");
  assert.equal(stopNote(null, {}), "");
  assert.match(stopNote({ reason: "stopEpoch", epoch: 40, testLoss: 0.2 }, {}), /epoch 40/);
  assert.match(stopNote({ reason: "stopTestLoss", epoch: 9, testLoss: 0.17 }, { stopTestLoss: 0.177 }), /0\.170 reached the goal of 0\.177/);
});

test("a reconnect's restore carries the own points only when the session uses them", () => {
  const frame = { layers: [2, 1], epoch: 3, weights: [new Float64Array([1, 2])], biases: [new Float64Array([0])], dead: [new Uint8Array(2)] };
  const own = { problem: "classification", points: [[1, 1, 0]], names: [] };
  assert.deepEqual(restoreOf(frame, { ownData: true }, own).own, own);
  assert.equal("own" in restoreOf(frame, { ownData: false }, own), false);
});

test("the picker's K-class samples have K classes; sets without K classes have none", async () => {
  const { classSamplePoints } = await import("../../static/js/datasets.js");
  for (const name of ["gauss", "spiral", "circle"]) {
    const labels = new Set(classSamplePoints(name, 5, 100).map((p) => p[2]));
    assert.deepEqual([...labels].sort(), [0, 1, 2, 3, 4], name);
  }
  assert.equal(classSamplePoints("xor", 3), null);
});
