/**
 * A network handed from one page to a playground tab: the classroom writes a session's exact
 * parameters under one storage key; the playground takes them once, on its first connect.
 */

export const HANDOFF_KEY = "playground-handoff";
export const HANDOFF_MAX_AGE_MS = 60_000;

/** The page's localStorage, or null where the browser refuses it (reading it can throw). */
export function pageStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The record to store for a `restore` message (or a server `snapshot`: the same fields). */
export function handoffRecord(restore, now) {
  const { config, epoch, weights, biases, dead } = restore;
  return JSON.stringify({ config, epoch, weights, biases, dead, savedAt: now });
}

function sameConfig(wanted, given) {
  return Object.keys(wanted).every((k) => JSON.stringify(wanted[k]) === JSON.stringify(given[k]));
}

/**
 * The `restore` message for a stored handoff, or null. The key is removed whatever it held, so a
 * handoff is used at most once; it counts only when fresh and made for this very config (the
 * playground's URL hash), so a stale or unrelated network never replaces what the URL asks for.
 */
export function takeHandoff(storage, config, now, maxAgeMs = HANDOFF_MAX_AGE_MS) {
  let record;
  if (!storage) return null;
  try {
    const text = storage.getItem(HANDOFF_KEY);
    if (text === null) return null;
    storage.removeItem(HANDOFF_KEY);
    record = JSON.parse(text);
  } catch {
    return null; // storage refused (private mode) or a record that is not JSON
  }
  if (!record || typeof record !== "object" || !record.config || typeof record.config !== "object") return null;
  const age = now - record.savedAt;
  if (!(age >= 0 && age <= maxAgeMs)) return null;
  if (!sameConfig(config, record.config)) return null;
  if (!Array.isArray(record.weights) || !Array.isArray(record.biases) || !Number.isInteger(record.epoch)) return null;
  const restore = { type: "restore", config, epoch: record.epoch, weights: record.weights, biases: record.biases };
  if (Array.isArray(record.dead)) restore.dead = record.dead;
  return restore;
}
