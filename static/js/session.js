/** What the page tells the server: the messages for a (re)connect and for each user change. */

import { configOf } from "./state.js";

/** Nested [to][from] arrays from a frame's flat row-major weights, as `restore` takes them. */
export function nested(flat, rows, cols, map = (v) => v) {
  return Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * cols, (r + 1) * cols), map));
}

/** The `restore` message for a decoded frame (float64, exact) and the config it was trained on. */
export function restoreOf(frame, config, own = null) {
  const L = frame.layers;
  const layers = L.slice(0, -1).map((_, l) => l);
  const message = {
    type: "restore",
    config,
    epoch: frame.epoch,
    weights: layers.map((l) => nested(frame.weights[l], L[l + 1], L[l])),
    biases: layers.map((l) => Array.from(frame.biases[l])),
    dead: layers.map((l) => nested(frame.dead[l], L[l + 1], L[l], (v) => v === 1)),
  };
  // The user's own points (drawn or uploaded) come back with the network they trained.
  if (own && config.ownData) message.own = own;
  return message;
}

export const PERSON_KEY = "playground-person";

/** A random id: 32 hex digits. */
export function randomId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The id this browser's pages send when they open (`person`), made once and kept in `storage`
 * (localStorage): the server counts one person's tabs as one when it shares the training time.
 * Null where storage is refused: the page then counts alone.
 */
export function personId(storage, make = randomId) {
  if (!storage) return null;
  try {
    let id = storage.getItem(PERSON_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = make();
      storage.setItem(PERSON_KEY, id);
    }
    return id;
  } catch {
    return null;
  }
}

/**
 * The messages to send when the socket opens, the session's config always first, so the server
 * can build the session from it (and need not build a default one first). A reconnect with a
 * frame in hand restores that frame's weights and epoch on the new session, so a server restart
 * loses nothing; a first connect with a `handoff` (a `restore` from handoff.js) starts from the
 * network handed over; otherwise the page's config (without a seed, the server picks one). The
 * first message carries the page's `person` id, if it has one.
 */
export function openingMessages({ state, frame, isReconnect, speed, defaultSpeed, playing, handoff, person, own = null }) {
  const messages = [];
  if (!isReconnect && handoff) {
    messages.push(handoff);
  } else if (isReconnect && frame) {
    messages.push(restoreOf(frame, configOf(state), own));
  } else {
    messages.push({ type: "config", config: configOf(state) });
  }
  if (person) messages[0] = { ...messages[0], person };
  if (speed !== undefined && speed !== defaultSpeed) messages.push({ type: "speed", eps: speed });
  if (isReconnect && playing) messages.push({ type: "play" });
  return messages;
}

/** The network shape after adding (+1) or removing (-1) a hidden layer; a new layer has 2 neurons. */
export function changeLayers(shape, delta, maxLayers) {
  const next = shape.slice();
  if (delta > 0 && next.length < maxLayers) next.push(2);
  if (delta < 0 && next.length > 0) next.pop();
  return next;
}

/** The network shape after adding or removing a neuron of hidden layer h, kept in 1..maxNeurons. */
export function changeNeurons(shape, h, delta, maxNeurons) {
  const next = shape.slice();
  next[h] = Math.max(1, Math.min(maxNeurons, next[h] + delta));
  return next;
}

/** A caption for the large heatmap when it shows neuron `node` rather than the output. */
export function nodeCaption(node, layers, inputs, labels) {
  if (node === null) return "";
  if (node < layers[0]) return `Input ${labels[inputs[node]] || inputs[node]}`;
  let k = node - layers[0];
  for (let l = 1; l < layers.length; l++) {
    if (k < layers[l]) return l === layers.length - 1 ? "" : `Neuron ${k + 1} of hidden layer ${l}`;
    k -= layers[l];
  }
  return "";
}

/**
 * Whether the server's config is the answer to the config we sent on opening: until it is, the
 * session's greeting (its own defaults) must not overwrite the URL. The batch size may come back
 * clamped to the training-set size, so it does not count.
 */
export function answers(sent, got) {
  return Object.keys(sent).every((k) => k === "batchSize" || JSON.stringify(sent[k]) === JSON.stringify(got[k]));
}
