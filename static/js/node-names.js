/**
 * One name for each node, the same in the diagram, the inspector, the weight editor and what a
 * screen reader hears: inputs X1, X2, X1², ..., hidden neurons H<layer>,<neuron>, the output out.
 */

import { FEATURE_FUNCS } from "./features.js";

/** Plain-text names of the inputs, as the diagram prints them (HTML in features.js). */
export const FEATURE_TEXT = {
  x: "X1", y: "X2", xSquared: "X1²", ySquared: "X2²", xTimesY: "X1X2", sinX: "sin(X1)", sinY: "sin(X2)",
};

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * Node i of layer k (0 = inputs, given by their feature keys `inputs`) of a network whose layer
 * sizes are `layers`: {text, html}.
 */
export function nodeName(k, i, layers, inputs) {
  if (k === 0) {
    const key = inputs[i];
    const text = FEATURE_TEXT[key] || (key ? String(key) : `input ${i + 1}`);
    return { text, html: FEATURE_FUNCS[key] ? FEATURE_FUNCS[key][0] : esc(text) };
  }
  if (k === layers.length - 1) {
    return layers[k] > 1 ? { text: `out${i + 1}`, html: `out<sub>${i + 1}</sub>` } : { text: "out", html: "out" };
  }
  return { text: `H${k},${i + 1}`, html: `H<sub>${k},${i + 1}</sub>` };
}

/** What a neuron is, in words: "H1,2, neuron 2 of hidden layer 1", "out, the output". */
export function describeNode(k, i, layers, inputs) {
  const { text } = nodeName(k, i, layers, inputs);
  if (k === 0) return `input ${text}`;
  if (k === layers.length - 1) return `${text}, the output`;
  return `${text}, neuron ${i + 1} of hidden layer ${k}`;
}

/** A weight's or bias's name in words: "weight from X1 to H1,1", "bias of H1,1". */
export function describeParameter(target, layers, inputs) {
  const to = nodeName(target.layer + 1, target.to, layers, inputs).text;
  if (target.bias) return `bias of ${to}`;
  return `weight from ${nodeName(target.layer, target.from, layers, inputs).text} to ${to}`;
}
