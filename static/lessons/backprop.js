/** The worked-example page: fetch the engine's steps, reveal one per key press, train on. */

import { drawLines } from "./chart.js";
import { escapeHtml, exact, formula, rounded, sci } from "./format.js";
import { drawNetwork } from "./network-figure.js";
import { mountPlainPage } from "../js/plain-page.js";

const $ = (id) => document.getElementById(id);
let lesson = null;
let shown = 0; // how many steps are revealed
let updateFigure = () => {};

async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

function convention() {
  return document.querySelector("input[name=convention]:checked").value;
}

function row(step, i) {
  const lecture = step.lecture === null ? "—" : escapeHtml(step.lecture);
  const note = step.note ? `<div class="note">${escapeHtml(step.note)}</div>` : "";
  return `<tr class="${i === shown - 1 ? "current" : ""}" data-stage="${escapeHtml(step.stage)}">
    <td>${escapeHtml(step.stage)}</td><td>${formula(step.symbol)}</td>
    <td>${formula(step.formula)}</td><td>${formula(step.substituted)}</td>
    <td class="num" data-testid="value-${step.key}" data-value="${step.value}">${exact(step.value)}</td>
    <td class="num" data-testid="lecture-${step.key}">${lecture}${note}</td></tr>`;
}

function render() {
  const steps = lesson.steps;
  $("bp-counter").textContent = `Step ${shown} of ${steps.length}`;
  $("bp-back").disabled = shown === 0;
  $("bp-next").disabled = shown === steps.length;
  $("bp-rows").innerHTML = steps.slice(0, shown).map(row).join("");
  // On a projector the ledger scrolls in its own box: keep the newest step in view.
  $("bp-ledger-box").scrollTop = $("bp-ledger-box").scrollHeight;
  const values = {};
  for (const s of steps.slice(0, shown)) values[s.key] = s.value;
  const step = steps[shown - 1];
  updateFigure(step ? step.marks : [], values);
  if (!step) {
    $("bp-stage").textContent = "Press → or space to start S3, the forward pass.";
    $("bp-current").innerHTML = `<p class="loss">${formula(lesson.loss)}</p>`;
    return;
  }
  $("bp-stage").textContent = step.stage;
  const lecture = step.lecture === null ? "" :
    `<p class="lecture">lecture: <span>${escapeHtml(step.lecture)}</span></p>`;
  $("bp-current").innerHTML = `
    <p class="eq">${formula(step.symbol)} = ${formula(step.formula)}</p>
    <p class="eq">= ${formula(step.substituted)}</p>
    <p class="eq result">= <b data-testid="current-value">${exact(step.value)}</b>
      <span class="rounded">(${rounded(step.value)})</span></p>
    ${lecture}${step.note ? `<p class="note">${escapeHtml(step.note)}</p>` : ""}`;
}

function move(delta) {
  shown = Math.min(Math.max(shown + delta, 0), lesson.steps.length);
  render();
}

async function load() {
  const keep = shown;
  lesson = await getJson(`/lessons/api/backprop?convention=${convention()}`);
  $("bp-alpha").textContent = lesson.learning_rate;
  const dw1 = lesson.steps.find((s) => s.key === "dE_dw1");
  $("why-exact-dw1").textContent = sci(dw1.value);
  updateFigure = drawNetwork($("bp-network"), lesson);
  shown = Math.min(keep, lesson.steps.length);
  document.body.dataset.convention = lesson.convention;
  render();
}

async function train() {
  const n = $("bp-iterations").value;
  const result = await getJson(`/lessons/api/backprop/train?convention=${convention()}&iterations=${n}`);
  const e = result.errors;
  $("bp-train-result").textContent =
    `E: ${exact(e[0])} → ${exact(e[e.length - 1])} after ${e.length - 1} updates`;
  drawLines($("bp-chart"), [e], { logY: true });
}

$("bp-next").addEventListener("click", () => move(1));
$("bp-back").addEventListener("click", () => move(-1));
$("bp-all").addEventListener("click", () => move(lesson.steps.length));
$("bp-train").addEventListener("click", () => train().catch(showError));
for (const radio of document.querySelectorAll("input[name=convention]")) {
  radio.addEventListener("change", () => load().catch(showError));
}
mountPlainPage("backprop", {
  next: () => lesson && move(1),
  back: () => lesson && move(-1),
  first: () => lesson && move(-shown),
  last: () => lesson && move(lesson.steps.length),
});

function showError(err) {
  $("bp-stage").textContent = `Could not load the lesson: ${err.message}`;
}

load().then(() => { document.body.dataset.ready = "1"; }).catch(showError);
