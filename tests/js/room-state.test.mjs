// A classroom page's state: whose session is on screen, read-only while following, locks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { follow, ownEpoch, receiveRoom, roomState, shownSource } from "../../static/classroom/room-state.js";
import { initialState, receiveFrame } from "../../static/js/page-state.js";
import { defaultState } from "../../static/js/state.js";

const config = (seed, networkShape = [4, 2]) => ({ ...defaultState(), seed, networkShape });
const stateOf = (source, seed, extra = {}) => ({ type: "state", ...(source ? { source } : {}), config: config(seed), epoch: 0, playing: false, layers: [2, 4, 2, 1], inputs: ["x", "y"], ...extra });
const dataOf = (source, x) => ({ type: "data", ...(source ? { source } : {}), train: [[x, 0, 1]], test: [] });

function page(role) {
  return roomState(initialState(defaultState()), role);
}

function feed(state, ...messages) {
  return messages.reduce(receiveRoom, state);
}

test("a student follows the room read-only, and its own session after a fork", () => {
  let s = feed(page("student"), { type: "room", code: "ABCDEF", name: "Ana", mode: "follow", locks: [], challenge: null }, stateOf("room", "r"), dataOf("room", 1));
  assert.equal(s.readOnly, true);
  assert.equal(s.server.config.seed, "r");
  assert.equal(s.data.train[0][0], 1);
  assert.equal(s.setup.seed, "r", "the controls show the room's config");
  const run = s.run;
  s = feed(s, stateOf(null, "own"), dataOf(null, 2), { type: "forked" });
  assert.equal(s.room.mode, "own");
  assert.equal(s.readOnly, false);
  assert.equal(s.server.config.seed, "own");
  assert.equal(s.data.train[0][0], 2);
  assert.equal(s.run, run + 1, "another session: its chart starts afresh");
  // The room goes on training meanwhile: the page keeps hearing it, and shows its own.
  s = feed(s, stateOf("room", "r2"), dataOf("room", 3));
  assert.equal(s.server.config.seed, "own");
  assert.equal(s.data.train[0][0], 2);
  s = follow(s);
  assert.equal(s.readOnly, true);
  assert.equal(s.server.config.seed, "r2", "back to the room's newest state at once");
  assert.equal(s.data.train[0][0], 3);
});

test("a pushed challenge lands the student in their own session of it", () => {
  const challenge = { config: config("c"), constraints: { maxNeurons: 6 }, leaderboard: true };
  let s = feed(page("student"), stateOf("room", "r"));
  s = feed(s, { type: "pushed", kind: "challenge", challenge }, { type: "room", name: "Ana", mode: "follow", locks: [], challenge });
  assert.equal(s.room.challenge, challenge);
  s = feed(s, stateOf(null, "c"));
  assert.equal(s.room.mode, "own");
  assert.equal(s.readOnly, false);
  assert.equal(s.server.config.seed, "c");
});

test("a student's locks keep every control in view, locked; the instructor's page has none", () => {
  let s = feed(page("student"), stateOf(null, "own"), { type: "locks", controls: ["learningRate", "features", "weights"] });
  assert.deepEqual(s.setup.hidden, [], "nothing hidden");
  assert.deepEqual(s.locked, ["learningRate", "features", "weights"]);
  s = feed(s, stateOf(null, "own", { epoch: 5 }));
  assert.deepEqual(s.locked, ["learningRate", "features", "weights"], "a new state keeps the locks");
  s = feed(s, { type: "locks", controls: [] });
  assert.deepEqual(s.locked, []);
  const teacher = feed(page("instructor"), stateOf("room", "r"), { type: "locks", controls: ["noise"] });
  assert.deepEqual(teacher.locked, []);
  assert.deepEqual(teacher.room.locks, ["noise"], "the lock list shows them");
});

test("a student who goes back to following keeps their own session's epoch in mind", () => {
  let s = feed(page("student"), stateOf("room", "r"));
  assert.equal(ownEpoch(s), null, "no session of their own yet");
  s = feed(s, stateOf(null, "own"), { type: "forked" });
  s = receiveFrame(s, { seq: 1, epoch: 42 });
  assert.equal(ownEpoch(s), 42);
  s = follow(s);
  assert.equal(s.room.mode, "follow");
  assert.deepEqual(s.room.own, { epoch: 42 });
  assert.equal(ownEpoch(s), 42);
  // After a reload the server says so in the room message.
  const reloaded = feed(page("student"), { type: "room", code: "ABCDEF", name: "Ana", mode: "follow", own: { epoch: 7 }, locks: [], challenge: null });
  assert.equal(ownEpoch(reloaded), 7);
});

test("the instructor drives the room, and watches a spotlight read-only", () => {
  let s = feed(page("instructor"), { type: "room", code: "ABCDEF", members: 2, spotlight: null, locks: ["noise"], challenge: null }, stateOf("room", "r"), dataOf("room", 1));
  assert.equal(s.readOnly, false);
  assert.deepEqual(s.setup.hidden, [], "locks are for students");
  s = receiveFrame(s, { seq: 1, epoch: 0 });
  s = feed(s, { type: "room", members: 2, spotlight: { id: "m1", name: "Ana" }, locks: [], challenge: null });
  assert.equal(shownSource(s.room), "spotlight");
  assert.equal(s.readOnly, true);
  assert.equal(s.frame, null, "the room's frame is not the spotlight's");
  s = feed(s, stateOf("spotlight", "ana"), dataOf("spotlight", 5));
  assert.equal(s.server.config.seed, "ana");
  // Ending the spotlight: the room's state comes again before the room message says so.
  s = feed(s, stateOf("room", "r"), { type: "room", members: 2, spotlight: null, locks: [], challenge: null });
  assert.equal(s.readOnly, false);
  assert.equal(s.server.config.seed, "r");
  assert.equal(s.data.train[0][0], 1);
});

test("gallery, roster, leaderboard, snapshot, closing and errors", () => {
  let s = feed(page("instructor"), stateOf("room", "r"));
  s = feed(s, { type: "room", code: "ABCDEF", members: 3, connected: 2, spotlight: null, locks: [], challenge: null });
  assert.equal(s.room.members, 3);
  assert.equal(s.room.connected, 2);
  const students = [{ id: "a", name: "Ana", connected: true }, { id: "b", name: "Bo", connected: false }];
  const board = { type: "leaderboard", goal: null, goalText: "the lowest test loss", entries: [{ rank: 1, name: "Ana", testLoss: 0.1 }] };
  s = feed(s, { type: "gallery", students }, board);
  assert.equal(s.room.members, 2);
  assert.equal(s.room.connected, 1);
  assert.equal(s.room.leaderboard.entries[0].name, "Ana");
  assert.equal(s.room.leaderboard.goalText, "the lowest test loss");
  s = feed(s, { type: "pushed", kind: "challenge", challenge: { config: {}, constraints: {} } });
  assert.equal(s.room.leaderboard, null, "a new challenge, a new board");
  s = feed(s, { type: "snapshot", epoch: 3, weights: [] });
  assert.equal(s.room.snapshot.epoch, 3);
  s = feed(s, { type: "error", request: "config", field: "networkShape" });
  assert.equal(s.errors.length, 1);
  s = feed(s, { type: "closed", reason: "closed by the instructor" });
  assert.equal(s.room.closed, "closed by the instructor");
});
