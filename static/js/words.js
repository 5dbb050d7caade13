/** Words the page writes that depend on the setup: the colours' names and what the network learns. */

/** The names of the palettes' two ends (colors.js PALETTES): value −1, value +1. */
export const COLOUR_NAMES = {
  default: ["orange", "blue"],
  colorblind: ["orange", "dark blue"],
};

/** {neg, pos, goal}: the colour words and the first sentence's goal for a palette and a problem. */
export function colourWords(colorblind, problem) {
  const [neg, pos] = COLOUR_NAMES[colorblind ? "colorblind" : "default"];
  const goal = problem === "regression"
    ? `predict each point's value, shown by its colour from ${neg} (−1) to ${pos} (+1)`
    : `separate the ${neg} points from the ${pos} ones`;
  return { neg, pos, goal };
}

/** The first-time tips on the diagram, as the original has them; `touch`: no hover to speak of. */
export function calloutText(id, touch) {
  if (id === "neuron") return `This is the output from one neuron. ${touch ? "Tap" : "Hover"} to see it larger.`;
  return "The outputs are mixed with varying weights, shown by the thickness of the lines.";
}

/**
 * Where the two tips go, or null where there is no room: {neuron: node index, weights: node
 * index}, each a neuron with at least two free rows under it (`rows`: the diagram's rows).
 * The neuron tip hangs under the first hidden layer's last neuron, the weights tip under the
 * last hidden layer's (or the output's) last neuron, pointing back at the links into it.
 */
export function calloutPlaces(layers, rows) {
  const places = { neuron: null, weights: null };
  if (layers.length < 3) return places;
  const start = (l) => layers.slice(0, l).reduce((a, b) => a + b, 0);
  if (layers[1] + 2 <= rows) places.neuron = start(1) + layers[1] - 1;
  const l = layers.length > 3 ? layers.length - 2 : layers.length - 1;
  if (layers[l] + 2 <= rows) places.weights = start(l) + layers[l] - 1;
  return places;
}

const PACE_WHY = {
  max: ["", "As fast as the server trains this network."],
  size: ["large network", "This network is large: each epoch takes longer, so it trains slower than the speed you chose."],
  tabs: ["shared with your tabs", "Your other tabs that are training share your part of the server."],
  load: ["server busy", "Many people are training on this server: everyone slows down evenly."],
};

/**
 * What the page says beside the speed when a session trains slower than its speed, or at "max"
 * (the `pace` of a `state`: {eps, by}): {text, title}, or null when it keeps its speed.
 */
export function paceText(pace) {
  if (!pace) return null;
  const [short, long] = PACE_WHY[pace.by] || PACE_WHY.load;
  return { text: short ? `now ${pace.eps} epochs/s · ${short}` : `now ${pace.eps} epochs/s`, title: long };
}
