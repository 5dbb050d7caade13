/** The room's training controls (play, step, reset, data set, rate, shape), wired the same on both pages. */

import { $, parseShape } from "./view.js";

/** Send each control's message through `send`; `isPlaying()` picks play or pause. */
export function bindTrainingControls(send, isPlaying) {
  $("play").addEventListener("click", () => send({ type: isPlaying() ? "pause" : "play" }));
  $("step").addEventListener("click", () => send({ type: "step" }));
  $("reset").addEventListener("click", () => send({ type: "reset" }));
  $("dataset").addEventListener("change", (e) => send({ type: "config", config: { dataset: e.target.value } }));
  $("learning-rate").addEventListener("change", (e) =>
    send({ type: "config", config: { learningRate: Number(e.target.value) } }));
  $("network-shape").addEventListener("change", (e) =>
    send({ type: "config", config: { networkShape: parseShape(e.target.value) } }));
}
