// The page store: one value, replaced through set/update, subscribers told with the previous one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readOnlyView, watch, writable } from "../../static/js/store.js";

test("subscribers get the value at once, then every change with the previous value", () => {
  const store = writable({ n: 1 });
  const seen = [];
  const stop = store.subscribe((value, previous) => seen.push([value.n, previous && previous.n]));
  store.set({ n: 2 });
  store.update((s) => ({ n: s.n + 1 }));
  assert.deepEqual(seen, [[1, undefined], [2, 1], [3, 2]]);
  stop();
  store.set({ n: 9 });
  assert.equal(seen.length, 3, "an unsubscribed view hears nothing more");
  assert.equal(store.get().n, 9);
});

test("setting the same object again tells nobody", () => {
  const value = { n: 1 };
  const store = writable(value);
  let calls = 0;
  store.subscribe(() => calls++);
  store.set(value);
  store.update((s) => s);
  assert.equal(calls, 1);
});

test("a subscriber that unsubscribes another while being told does not break the round", () => {
  const store = writable(0);
  const seen = [];
  let stopB = null;
  store.subscribe((v) => { if (v === 1) stopB(); seen.push(`a${v}`); });
  stopB = store.subscribe((v) => seen.push(`b${v}`));
  store.set(1);
  store.set(2);
  assert.deepEqual(seen, ["a0", "b0", "a1", "b1", "a2"]);
});

test("watch runs only when its picked part changes, by reference or element by element", () => {
  const store = writable({ frame: null, focus: null, stats: 0 });
  const runs = [];
  watch(store, (s) => [s.frame, s.focus], ([frame, focus]) => runs.push([frame, focus]));
  store.update((s) => ({ ...s, stats: 1 }));
  assert.equal(runs.length, 1, "a change elsewhere in the state does not redraw");
  const frame = { seq: 1 };
  store.update((s) => ({ ...s, frame }));
  store.update((s) => ({ ...s, focus: 3 }));
  store.update((s) => ({ ...s, stats: 2 }));
  assert.deepEqual(runs, [[null, null], [frame, null], [frame, 3]]);
});

test("the read-only view reads the newest state and refuses writes", () => {
  const store = writable({ frame: { epoch: 1 }, stats: { frames: 0 } });
  const view = readOnlyView(store);
  assert.equal(view.frame.epoch, 1);
  store.update((s) => ({ ...s, frame: { epoch: 2 } }));
  assert.equal(view.frame.epoch, 2);
  assert.ok("stats" in view);
  assert.deepEqual(Object.keys(view), ["frame", "stats"]);
  assert.throws(() => { "use strict"; view.frame = null; }, TypeError);
  assert.throws(() => { delete view.stats; }, TypeError);
  assert.equal(store.get().frame.epoch, 2);
  assert.deepEqual(JSON.parse(JSON.stringify(view)), { frame: { epoch: 2 }, stats: { frames: 0 } });
});
