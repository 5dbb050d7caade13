/**
 * A challenge in words and in numbers: what a student reads (dataset, limits, goal), the config a
 * push starts from so it keeps its own limits, and the page's check of a change against them.
 */

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function list(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

const LIMITS = {
  maxNeurons: (n) => `at most ${plural(n, "neuron")} in all`,
  maxLayers: (n) => `at most ${plural(n, "hidden layer")}`,
};

/** Numbers as a person writes them: 0.1, 0.05, 90 %. */
const number = (x) => String(Number(x.toPrecision(6)));

/** A goal in words, as the server's goals.describe says it. */
export function describeGoal(goal) {
  if (!goal) return "the lowest test loss";
  if (goal.kind === "accuracy") return `test accuracy at least ${number(goal.target * 100)} %`;
  if (goal.kind === "fewestWeights") return `the fewest weights reaching test loss at most ${number(goal.target)}`;
  return `test loss at most ${number(goal.target)}`;
}

/** How the board ranks a goal, in a sentence. */
function howToWin(goal) {
  if (!goal) return "Lowest test loss wins.";
  if (goal.kind === "fewestWeights") return `Goal: ${describeGoal(goal)}.`;
  return `Goal: ${describeGoal(goal)}; the first to reach it ranks highest.`;
}

/** The limits alone: "at most 6 neurons in all, only the features X1 and X2". */
export function describeLimits(constraints = {}, labels = {}) {
  const parts = [];
  for (const [key, value] of Object.entries(constraints)) {
    if (LIMITS[key]) parts.push(LIMITS[key](value));
    else if (key === "features") parts.push(`only the feature${value.length === 1 ? "" : "s"} ${list(value.map((f) => labels[f] || f))}`);
  }
  return parts.join(", ");
}

/** "Challenge: the spiral dataset, at most 6 neurons in all, only the features X1 and X2. Goal: ..." */
export function describeChallenge(challenge, labels = {}) {
  const { config, constraints = {}, goal = null } = challenge;
  const dataset = config.problem === "regression" ? config.regDataset : config.dataset;
  const limits = describeLimits(constraints, labels);
  return `Challenge: the ${dataset} dataset${limits ? `, ${limits}` : ""}. ${howToWin(goal)}`;
}

/**
 * Hidden layer sizes within the limits: the extra layers go, then the largest layer (the later of
 * equals) gives up a neuron until the total fits; a layer left with none goes.
 */
export function fitShape(shape, { maxLayers = Infinity, maxNeurons = Infinity } = {}) {
  const out = shape.slice(0, maxLayers);
  while (out.length && out.reduce((a, b) => a + b, 0) > maxNeurons) {
    const largest = out.lastIndexOf(Math.max(...out));
    out[largest] -= 1;
    if (out[largest] === 0) out.splice(largest, 1);
  }
  return out;
}

/**
 * The config a challenge starts from, given the instructor's `config` and the form's `changes`:
 * the network fitted to the limits, and only allowed features on (all allowed ones if none was).
 */
export function challengeConfig(config, changes, constraints, featureKeys) {
  const next = { ...config, ...changes };
  const out = { ...changes, networkShape: fitShape(next.networkShape || [], constraints) };
  if (constraints.features) {
    const allowed = new Set(constraints.features);
    const kept = featureKeys.filter((key) => next[key] && allowed.has(key));
    const on = new Set(kept.length ? kept : constraints.features);
    for (const key of featureKeys) out[key] = on.has(key);
  }
  return out;
}

/**
 * Why a student's config breaks the challenge's limits, in words (as the server checks them), or
 * null. `labels` names the features as the page shows them.
 */
export function limitBroken(config, constraints = {}, labels = {}) {
  const shape = config.networkShape || [];
  const neurons = shape.reduce((a, b) => a + b, 0);
  if ("maxLayers" in constraints && shape.length > constraints.maxLayers) {
    return `This challenge allows ${LIMITS.maxLayers(constraints.maxLayers)}; that network has ${plural(shape.length, "hidden layer")}.`;
  }
  if ("maxNeurons" in constraints && neurons > constraints.maxNeurons) {
    return `This challenge allows ${LIMITS.maxNeurons(constraints.maxNeurons)}; that network has ${plural(neurons, "neuron")}.`;
  }
  if (constraints.features) {
    const extra = Object.keys(labels).filter((key) => config[key] && !constraints.features.includes(key));
    if (extra.length) return `This challenge allows ${describeLimits({ features: constraints.features }, labels)}, not ${list(extra.map((f) => labels[f]))}.`;
  }
  return null;
}

/**
 * What a push would throw away, in a question, or null when nothing: students' own networks
 * that trained, and the board of the challenge that runs. `students` are the gallery's tiles.
 */
export function pushLoses(students, board) {
  const trained = students.filter((s) => s.layers && s.epoch > 0).length;
  const results = board && board.entries.length > 0;
  if (!trained && !results) return null;
  const parts = [];
  if (trained) parts.push(`replaces the own network${trained === 1 ? "" : "s"} ${trained === 1 ? "one student has" : `${trained} students have`} trained`);
  if (results) parts.push("starts the leaderboard afresh (download the results first to keep them)");
  return `This push ${list(parts)}. Push anyway?`;
}
