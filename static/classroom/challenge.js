/** A challenge in words, as a student reads it: the dataset, the limits, how it is won. */

const LIMITS = {
  maxNeurons: (n) => `at most ${n} neuron${n === 1 ? "" : "s"} in all`,
  maxLayers: (n) => `at most ${n} hidden layer${n === 1 ? "" : "s"}`,
};

function list(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** "Challenge: the spiral dataset, at most 6 neurons in all, only the features X1 and X2. ..." */
export function describeChallenge(challenge, labels = {}) {
  const { config, constraints = {} } = challenge;
  const dataset = config.problem === "regression" ? config.regDataset : config.dataset;
  const parts = [`the ${dataset} dataset`];
  for (const [key, value] of Object.entries(constraints)) {
    if (LIMITS[key]) parts.push(LIMITS[key](value));
    else if (key === "features") parts.push(`only the feature${value.length === 1 ? "" : "s"} ${list(value.map((f) => labels[f] || f))}`);
  }
  return `Challenge: ${parts.join(", ")}. Lowest test loss wins.`;
}
