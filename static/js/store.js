/** A store with subscribe, as Svelte's `writable`: the page's state in one object, changed only here. */

/**
 * A store holding one value. `set` and `update` replace it (never mutate it: subscribers tell
 * what changed by comparing references) and call every subscriber with (value, previous).
 */
export function writable(initial) {
  let value = initial;
  const subscribers = new Set();
  const set = (next) => {
    if (next === value) return;
    const previous = value;
    value = next;
    for (const fn of [...subscribers]) fn(value, previous);
  };
  return {
    get: () => value,
    set,
    update: (fn) => set(fn(value)),
    /** Call `fn(value, undefined)` now and `fn(value, previous)` on every change; returns unsubscribe. */
    subscribe(fn) {
      subscribers.add(fn);
      fn(value, undefined);
      return () => subscribers.delete(fn);
    },
  };
}

function same(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/**
 * Run `fn(picked, value)` now and whenever `pick(value)` changes: a reference, or an array of
 * references compared one by one (so a view redraws only when its own part of the state moved).
 */
export function watch(store, pick, fn) {
  let last;
  let first = true;
  return store.subscribe((value) => {
    const picked = pick(value);
    if (!first && same(picked, last)) return;
    first = false;
    last = picked;
    fn(picked, value);
  });
}

/**
 * The store's current state, read-only, for debugging and tests (`window.playground.frame`):
 * every read sees the newest state; writes throw in strict code and change nothing.
 */
export function readOnlyView(store) {
  const refuse = () => false;
  return new Proxy(Object.create(null), {
    get: (_, key) => store.get()[key],
    has: (_, key) => key in store.get(),
    ownKeys: () => Reflect.ownKeys(store.get()),
    getOwnPropertyDescriptor: (_, key) => {
      const value = store.get();
      return key in value ? { value: value[key], enumerable: true, configurable: true, writable: false } : undefined;
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
}
