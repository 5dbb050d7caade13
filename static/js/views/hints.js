/** Hints from what the frames show: a network stuck in saturation is told to start again. */

import { thumbOf } from "../frame.js";
import { watchSaturation } from "../saturation.js";
import { watch } from "../store.js";

/** The saturation banner on a store: shown while the frames say the network is stuck. */
export function mountHints(doc, store) {
  const banner = doc.querySelector('[data-testid="saturated"]');
  if (!banner) return null;
  let state = null;
  watch(store, (s) => [s.frame, s.run], ([frame], s) => {
    if (!frame) return;
    // One output (the original's): K softmax outputs are not told apart by a pinned grid.
    const oneOutput = frame.layers[frame.layers.length - 1] === 1;
    const classification = oneOutput && (!s.server || s.server.config.problem === "classification");
    const output = thumbOf(frame, frame.layers.reduce((a, b) => a + b) - 1);
    state = watchSaturation(state, frame, output, classification);
    banner.hidden = !(state && state.saturated);
  });
  return banner;
}
