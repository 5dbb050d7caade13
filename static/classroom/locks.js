/**
 * The instructor's locks as a student's page knows them: what each lock guards (as the server's
 * rules.LOCKABLE), the locks in words, and the refusal of a message a lock forbids, said the way
 * the page labels its controls, before it is sent.
 */

/** Lock name -> the config keys it freezes and the message types it forbids. */
export const GUARDS = {
  playButton: { kinds: ["play", "pause", "speed"] },
  stepButton: { kinds: ["step"] },
  resetButton: { kinds: ["reset", "regenerate"] },
  learningRate: { keys: ["learningRate"] },
  activation: { keys: ["activation"] },
  regularization: { keys: ["regularization"] },
  regularizationRate: { keys: ["regularizationRate"] },
  problem: { keys: ["problem"] },
  dataset: { keys: ["dataset", "regDataset", "seed"] },
  percTrainData: { keys: ["percTrainData"] },
  noise: { keys: ["noise"] },
  batchSize: { keys: ["batchSize"] },
  numHiddenLayers: { keys: ["networkShape"] },
  features: { keys: ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"] },
  weights: { kinds: ["set_weight"] },
};

function list(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** "Locked by the instructor: Learning rate and Play and pause." ("" without locks). */
export function describeLocks(locks, labels) {
  if (!locks.length) return "";
  return `Locked by the instructor: ${list(locks.map((name) => labels[name] || name))}.`;
}

/**
 * The lock that forbids `message` given the session's `current` config, as {name, field} (the
 * key or message type it stops), or null. As the server does, a config is refused only for a
 * locked key whose value would change.
 */
export function lockFor(message, locks, current = {}) {
  for (const name of locks) {
    const { keys = [], kinds = [] } = GUARDS[name] || {};
    if (kinds.includes(message.type)) return { name, field: message.type };
    if (message.type === "config" && message.config) {
      const changes = (key) => key in message.config && JSON.stringify(message.config[key]) !== JSON.stringify(current[key]);
      const key = keys.find(changes);
      if (key) return { name, field: key };
    }
  }
  return null;
}

/** An `error` message as the server would send it, naming the lock as the page labels it. */
export function lockRefusal(message, locks, current, labels) {
  const lock = lockFor(message, locks, current);
  if (lock === null) return null;
  const text = `${labels[lock.name] || lock.name} is locked by the instructor.`;
  return { type: "error", request: message.type, field: lock.field, allowed: "a control that is not locked", message: text };
}
