/** The playground state and its URL hash: one schema table drives both parse and serialise. */

import { PAGE_SCHEMA } from "./schema.js";

const KINDS = { choice: "enum", integer: "number", number: "number", shape: "shape", seed: "string", bool: "bool" };

/**
 * Every hash key in the original's order, then this playground's own display keys: the engine's
 * table (engine/config.py, through schema.js), the one source the server checks configs by.
 * scope "config" goes to the server, "display" stays in the page, "ignored" is kept only so an
 * original link survives a round trip. `omit` leaves a key out of the hash at that value.
 */
export const SCHEMA = PAGE_SCHEMA.map((row) => {
  const entry = {
    key: row.key,
    kind: KINDS[row.kind],
    scope: row.effect === "display" || row.effect === "ignored" ? row.effect : "config",
    def: row.default ?? "",
  };
  if ("omit" in row) entry.omit = row.omit ?? "";
  return entry;
});

/** Controls a link may hide with `<name>_hide=true`, written after every other key. */
export const HIDEABLE = [
  "showTestData", "discretize", "playButton", "stepButton", "resetButton", "learningRate",
  "activation", "regularization", "regularizationRate", "problem", "dataset", "percTrainData",
  "noise", "batchSize", "numHiddenLayers",
  // Issue 12's controls, after the original's so its links keep their order.
  "classes", "loss", "optimizer", "stopEpoch", "stopTestLoss", "draw", "uploadData",
  "exportModel", "importModel", "exportPython", "exportPng", "replayButton",
];

export const CONFIG_KEYS = SCHEMA.filter((p) => p.scope === "config").map((p) => p.key);
const BY_KEY = new Map(SCHEMA.map((p) => [p.key, p]));

/** The state every missing key starts from; `defaults` (e.g. the server's) override the table. */
export function defaultState(defaults = {}) {
  const state = { hidden: [] };
  for (const p of SCHEMA) {
    const d = p.key in defaults && p.key !== "seed" ? defaults[p.key] : p.def;
    state[p.key] = Array.isArray(d) ? d.slice() : d;
  }
  return state;
}

function parseValue(p, raw, fallback) {
  switch (p.kind) {
    case "bool":
      return raw !== "false";
    case "number": {
      const n = Number(raw);
      return raw.trim() !== "" && Number.isFinite(n) ? n : fallback;
    }
    case "shape": {
      if (raw.trim() === "") return [];
      const parts = raw.split(",").map(Number);
      return parts.every(Number.isFinite) ? parts : fallback;
    }
    default:
      return raw;
  }
}

/** "#key=value&..." -> a full state; unknown keys are ignored, as the original does. */
export function parseHash(hash, defaults = {}) {
  const state = defaultState(defaults);
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  for (const pair of text.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const raw = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    if (key.endsWith("_hide")) {
      const name = key.slice(0, -5);
      if (HIDEABLE.includes(name) && raw !== "false" && !state.hidden.includes(name)) {
        state.hidden.push(name);
      }
      continue;
    }
    const p = BY_KEY.get(key);
    if (p) state[key] = parseValue(p, raw, state[key]);
  }
  return state;
}

function formatValue(p, value) {
  if (p.kind === "shape") return value.join(",");
  return String(value);
}

/** A state -> "#key=value&..." in the schema's order, then the hidden controls. */
export function serializeHash(state) {
  const parts = [];
  for (const p of SCHEMA) {
    const value = state[p.key];
    if (value === undefined || ("omit" in p && value === p.omit)) continue;
    parts.push(`${p.key}=${encodeValue(formatValue(p, value))}`);
  }
  for (const name of HIDEABLE) {
    if (state.hidden && state.hidden.includes(name)) parts.push(`${name}_hide=true`);
  }
  return "#" + parts.join("&");
}

function encodeValue(text) {
  // Keep commas readable in networkShape, as the original's links have them.
  return encodeURIComponent(text).replace(/%2C/g, ",");
}

/** The part of the state the server owns, as the protocol's config object. */
export function configOf(state) {
  const config = {};
  for (const key of CONFIG_KEYS) {
    if (key === "seed" && !state.seed) continue;
    const value = state[key];
    config[key] = Array.isArray(value) ? value.slice() : value;
  }
  return config;
}

/** A copy of the state with the server's accepted config merged in. */
export function withConfig(state, config) {
  const next = { ...state, hidden: state.hidden.slice() };
  for (const key of CONFIG_KEYS) {
    if (key in config) next[key] = Array.isArray(config[key]) ? config[key].slice() : config[key];
  }
  return next;
}

/** Which gradient-descent mode a batch size means for a training set of `nTrain` points. */
export function gdModeOf(batchSize, nTrain) {
  if (batchSize <= 1) return "stochastic";
  if (nTrain > 0 && batchSize >= nTrain) return "batch";
  return "mini-batch";
}

/** The batch size a gradient-descent mode asks for. */
export function batchSizeFor(mode, slider, nTrain, maxBatchSize) {
  if (mode === "stochastic") return 1;
  if (mode === "batch") return Math.max(1, Math.min(nTrain, maxBatchSize));
  return slider;
}
