/**
 * The instructor's challenge form: dataset, goal (kind and target), limits (neurons, layers,
 * features) and whether the class sees the board, read into a `push` message, or a reason in words
 * why not yet. The form's DOM is a thin layer over `challengeFromForm`.
 */

import { watch } from "../js/store.js";
import { challengeConfig, describeChallenge, pushLoses } from "./challenge.js";
import { confirmAction } from "./confirm.js";

const wholeNumber = (text) => (/^\s*\d+\s*$/.test(text) ? Number(text) : NaN);

/** The dataset choice ("" keeps the instructor's) as config changes. */
function datasetChanges(choice, regDatasets) {
  if (!choice) return {};
  if (regDatasets.includes(choice)) return { problem: "regression", regDataset: choice };
  return { problem: "classification", dataset: choice };
}

/**
 * The form's values -> {challenge} for a `push`, or {error} in words. values: dataset, goal (""
 * or a kind), target (text; accuracy in %), maxNeurons, maxLayers (text, "" for no limit),
 * features (keys allowed), leaderboard. `config` is the room's, `boot` the page's registries.
 */
export function challengeFromForm(values, config, boot) {
  const featureKeys = boot.features.map((f) => f.key);
  const changes = datasetChanges(values.dataset, boot.regDatasets);
  const problem = changes.problem || config.problem;
  const constraints = {};
  for (const [key, words] of [["maxNeurons", "Neurons in all"], ["maxLayers", "Hidden layers"]]) {
    if (values[key].trim() === "") continue;
    const n = wholeNumber(values[key]);
    const top = key === "maxLayers" ? boot.limits.maxHiddenLayers : boot.limits.maxHiddenLayers * boot.limits.maxNeurons;
    if (!(n >= 0 && n <= top)) return { error: `${words}, at most: a whole number from 0 to ${top}, or nothing for no limit.` };
    constraints[key] = n;
  }
  if (!values.features.length) return { error: "Allow at least one feature." };
  if (values.features.length < featureKeys.length) constraints.features = featureKeys.filter((f) => values.features.includes(f));
  let goal = null;
  if (values.goal) {
    const target = Number(values.target);
    if (values.goal === "accuracy") {
      if (problem !== "classification") return { error: "Accuracy is for classification: choose a goal on test loss for a regression dataset." };
      if (!(target > 0 && target <= 100)) return { error: "Test accuracy at least: a percentage above 0, at most 100." };
      goal = { kind: "accuracy", target: target / 100 };
    } else {
      if (!(values.target.trim() !== "" && target > 0 && Number.isFinite(target))) return { error: "Test loss at most: a number above 0, such as 0.1." };
      goal = { kind: values.goal, target };
    }
  }
  const start = challengeConfig(config, changes, constraints, featureKeys);
  return { challenge: { config: start, constraints, goal, leaderboard: values.leaderboard } };
}

/** Whether to push now: at once when it loses nothing, else when the instructor says so. */
export async function pushAllowed(doc, state) {
  const question = pushLoses(state.room.students, state.room.leaderboard);
  return !question || confirmAction(doc, question, { yes: "Push", no: "Not now" });
}

/** The form's current values. */
function readForm(form) {
  const field = (testid) => form.querySelector(`[data-testid="${testid}"]`);
  return {
    dataset: field("challenge-dataset").value,
    goal: field("challenge-goal").value,
    target: field("challenge-target").value,
    maxNeurons: field("challenge-max-neurons").value,
    maxLayers: field("challenge-max-layers").value,
    features: [...form.querySelectorAll("[data-feature]:checked")].map((box) => box.dataset.feature),
    leaderboard: field("challenge-leaderboard").checked,
  };
}

/** The feature boxes, labelled as the network diagram labels its inputs. */
function featureBoxes(doc, boot, labels) {
  return boot.features.map((f) => {
    const box = Object.assign(doc.createElement("input"), { type: "checkbox", checked: f.key === "x" || f.key === "y" });
    box.dataset.feature = f.key;
    box.dataset.testid = `challenge-feature-${f.key}`;
    const label = doc.createElement("label");
    label.append(box, ` ${labels[f.key]}`);
    return label;
  });
}

/**
 * Wire the form on the instructor's store: a preview in words as the form changes, a push on
 * submit. `send` speaks on the room socket with the instructor's `token`.
 */
export function mountChallengeForm(doc, store, { boot, labels, send, token }) {
  const form = doc.querySelector('[data-testid="challenge-form"]');
  const field = (testid) => form.querySelector(`[data-testid="${testid}"]`);
  field("challenge-features").append(...featureBoxes(doc, boot, labels));
  const unit = () => { field("challenge-target-unit").textContent = field("challenge-goal").value === "accuracy" ? "%" : ""; };
  const preview = () => {
    const config = store.get().server ? store.get().server.config : null;
    const goal = field("challenge-goal").value;
    field("challenge-target").disabled = !goal;
    unit();
    if (!config) return null;
    const read = challengeFromForm(readForm(form), config, boot);
    field("challenge-summary").textContent = read.challenge ? describeChallenge(read.challenge, labels) : "";
    field("challenge-error").textContent = read.error || "";
    return read;
  };
  field("challenge-goal").addEventListener("change", () => {
    // A target that fits the kind: a loss for losses, a percentage for accuracy.
    field("challenge-target").value = field("challenge-goal").value === "accuracy" ? "90" : "0.1";
  });
  form.addEventListener("input", preview);
  form.addEventListener("change", preview);
  watch(store, (s) => s.server && s.server.config, preview);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const read = preview();
    if (!read || !read.challenge || !(await pushAllowed(doc, store.get()))) return;
    send({ type: "push", token, challenge: read.challenge });
  });
}
