// A classroom network handed to a playground tab: taken once, only fresh and for the same config.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HANDOFF_KEY, handoffRecord, takeHandoff } from "../../static/js/handoff.js";
import { openingMessages } from "../../static/js/session.js";
import { configOf, parseHash } from "../../static/js/state.js";

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

const state = parseHash("#seed=0.5&networkShape=1&activation=relu");
const config = configOf(state);
const snapshot = {
  type: "snapshot",
  config: { ...config },
  epoch: 7,
  weights: [[[0.1234567890123, -2.5]], [[1e-9]]],
  biases: [[0.3], [-0.7]],
  dead: [[[0, 1]], [[0]]],
};

function stored(record, now = 1000) {
  const storage = new MemoryStorage();
  storage.setItem(HANDOFF_KEY, record === undefined ? handoffRecord(snapshot, now) : record);
  return storage;
}

test("a fresh handoff for this config becomes the opening restore, exact, and is taken once", () => {
  const storage = stored();
  const handoff = takeHandoff(storage, config, 1500);
  assert.deepEqual(handoff, {
    type: "restore", config, epoch: 7, weights: snapshot.weights, biases: snapshot.biases, dead: snapshot.dead,
  });
  assert.equal(storage.getItem(HANDOFF_KEY), null);
  assert.equal(takeHandoff(storage, config, 1500), null);
  const messages = openingMessages({ state, frame: null, isReconnect: false, handoff });
  assert.deepEqual(messages, [handoff]);
});

test("a handoff for another config, a stale one or garbage is dropped and removed", () => {
  const other = configOf(parseHash("#seed=0.5&networkShape=1&activation=tanh"));
  for (const [storage, wanted, now] of [
    [stored(), other, 1500],
    [stored(), config, 1000 + 61_000],
    [stored(), config, 999],
    [stored("{not json"), config, 1500],
    [stored(JSON.stringify({ config, epoch: 1.5, weights: [], biases: [], savedAt: 1000 })), config, 1500],
    [stored("null"), config, 1500],
  ]) {
    assert.equal(takeHandoff(storage, wanted, now), null);
    assert.equal(storage.getItem(HANDOFF_KEY), null);
  }
  assert.equal(takeHandoff(null, config, 1500), null);
});

test("a reconnect ignores a handoff: the frame in hand wins", () => {
  const handoff = takeHandoff(stored(), config, 1500);
  const messages = openingMessages({ state, frame: null, isReconnect: true, handoff });
  assert.deepEqual(messages, [{ type: "config", config }]);
});
