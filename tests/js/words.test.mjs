/** Words that follow the setup: colour names by palette and problem, the tips and their places. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { calloutPlaces, calloutText, colourWords, paceText } from "../../static/js/words.js";

test("colour words follow the palette and the problem", () => {
  assert.equal(colourWords(false, "classification").goal, "separate the orange points from the blue ones");
  assert.equal(colourWords(true, "classification").goal, "separate the orange points from the dark blue ones");
  const regression = colourWords(false, "regression");
  assert.match(regression.goal, /predict each point's value/);
  assert.doesNotMatch(regression.goal, /points from/);
  assert.deepEqual([colourWords(true, "regression").neg, colourWords(true, "regression").pos], ["orange", "dark blue"]);
});

test("the tips say hover with a mouse and tap on a touch screen", () => {
  assert.equal(calloutText("neuron", false), "This is the output from one neuron. Hover to see it larger.");
  assert.match(calloutText("neuron", true), /Tap to see it larger/);
  assert.match(calloutText("weights", false), /thickness of the lines/);
});

test("each tip hangs under a neuron with room below it, or nowhere", () => {
  assert.deepEqual(calloutPlaces([2, 4, 2, 1], 7), { neuron: 5, weights: 7 });
  assert.deepEqual(calloutPlaces([2, 4, 1], 7), { neuron: 5, weights: 6 });
  assert.deepEqual(calloutPlaces([2, 1], 7), { neuron: null, weights: null });
  assert.deepEqual(calloutPlaces([7, 8, 8, 1], 8), { neuron: null, weights: null });
});

test("a slower pace is shown with its reason in words, and nothing at the speed asked", () => {
  assert.equal(paceText(null), null);
  const size = paceText({ eps: 12, by: "size" });
  assert.equal(size.text, "now 12 epochs/s · large network");
  assert.match(size.title, /network is large/);
  assert.match(paceText({ eps: 3.5, by: "tabs" }).text, /3\.5 epochs\/s · shared with your tabs/);
  assert.match(paceText({ eps: 40, by: "load" }).text, /server busy/);
  assert.equal(paceText({ eps: 700, by: "max" }).text, "now 700 epochs/s", "at max: only the pace");
});
