// The page's state reducer: the answer to the opening config, greetings set aside, errors, frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { changeSetup, initialState, opened, receive, receiveFrame } from "../../static/js/page-state.js";
import { configOf, parseHash } from "../../static/js/state.js";

const setup = parseHash("#seed=0.5&networkShape=3");
const sent = { type: "config", config: configOf(setup) };
const greeting = { type: "state", config: { ...configOf(parseHash("#seed=0.9")), seed: "0.9" }, epoch: 0, playing: false };
const answer = { type: "state", config: { ...sent.config, batchSize: 10 }, epoch: 0, playing: false };
const frame = (seq) => ({ seq, epoch: 0 });

test("opening counts the connect and waits for the answer to the config it sent", () => {
  const s = opened(initialState(setup), [sent, { type: "speed", eps: 300 }]);
  assert.deepEqual(s.opened, ["config", "speed"]);
  assert.deepEqual(s.expect, sent.config);
  assert.equal(s.stats.connects, 1);
  assert.equal(s.stats.framesThisConnect, 0);
  assert.equal(opened(s, [{ type: "play" }]).expect, null, "nothing to wait for without a config");
});

test("today's server: a greeting state, data and frame wait aside until the answer comes", () => {
  let s = opened(initialState(setup), [sent]);
  s = receive(s, greeting);
  assert.equal(s.server, null, "the greeting does not overwrite the setup");
  assert.equal(s.setup.seed, "0.5");
  s = receiveFrame(s, frame(1));
  assert.equal(s.frame, null);
  assert.equal(s.stats.frames, 0, "a greeting frame is not drawn");
  s = receive(s, answer);
  assert.equal(s.server, answer);
  assert.equal(s.expect, null);
  assert.equal(s.skipped, null);
  s = receive(s, { type: "data", train: [[1, 2, 1]], test: [] });
  assert.equal(s.data.seed, "0.5", "the data's seed is the answering state's");
  s = receiveFrame(s, frame(2));
  assert.equal(s.frame.seq, 2);
  assert.equal(s.stats.frames, 1);
});

test("tomorrow's server: the answer is the first thing the page hears", () => {
  let s = opened(initialState(setup), [sent]);
  s = receive(s, answer);
  s = receiveFrame(s, frame(1));
  assert.equal(s.server, answer);
  assert.equal(s.stats.frames, 1);
});

test("a refused opening config shows the session as it is: the greeting and its frame", () => {
  let s = opened(initialState(setup), [sent]);
  s = receive(s, greeting);
  s = receiveFrame(s, frame(1));
  s = receive(s, { type: "error", request: "config", field: "networkShape", message: "no" });
  assert.equal(s.server, greeting);
  assert.equal(s.setup.seed, "0.9");
  assert.equal(s.frame.seq, 1);
  assert.equal(s.errors.length, 1);
});

test("an error about something else (a late ack) does not end the wait", () => {
  let s = opened(initialState(setup), [sent]);
  s = receive(s, greeting);
  s = receive(s, { type: "error", request: "ack", field: "seq" });
  assert.deepEqual(s.expect, sent.config);
  assert.equal(s.server, null);
  assert.equal(s.errors[0].request, "ack");
});

test("a refused change puts the setup back to the session's config", () => {
  let s = receive(initialState(setup), answer);
  s = changeSetup(s, { networkShape: [20, 2] });
  assert.deepEqual(s.setup.networkShape, [20, 2]);
  s = receive(s, { type: "error", request: "config", field: "networkShape" });
  assert.deepEqual(s.setup.networkShape, [3]);
});

test("inspector answers and refusals go to the inspector, not the error list", () => {
  let s = receive(initialState(setup), { type: "inspection", gradient: 1 });
  assert.equal(s.inspection.gradient, 1);
  s = receive(s, { type: "error", request: "inspect", message: "bad point" });
  assert.equal(s.inspection.message, "bad point");
  assert.equal(s.errors.length, 0);
});

test("the error list keeps the last ten, newest last", () => {
  let s = initialState(setup);
  for (let i = 0; i < 12; i++) s = receive(s, { type: "error", request: "step", field: String(i) });
  assert.equal(s.errors.length, 10);
  assert.equal(s.errors[9].field, "11");
});

test("every change makes a new state object and leaves the old one as it was", () => {
  const before = initialState(setup);
  const after = receive(before, answer);
  assert.notEqual(after, before);
  assert.equal(before.server, null);
  assert.equal(receive(after, { type: "unknown" }), after, "a message the page ignores changes nothing");
});
