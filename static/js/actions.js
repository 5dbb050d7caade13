/** What the user can do on a page: each action changes the store and/or sends one message. */

import { changeSetup } from "./page-state.js";
import { changeLayers, changeNeurons } from "./session.js";

/** The `set_weight` message for a link {layer, to, from} or a bias {layer, to, bias: true}. */
export function setWeightMessage(target, value) {
  const { layer, to } = target;
  return target.bias ? { type: "set_weight", layer, to, bias: true, value } : { type: "set_weight", layer, to, from: target.from, value };
}

/**
 * The page's actions over `store` and `send(message) -> bool` (false when offline). Actions that
 * would change the session do nothing while the page is read-only (following someone else).
 * options.sendFocus: whether hovering a neuron asks the server for its full-size grid (a
 * follower's frames are shared, so it draws the neuron's thumbnail large instead).
 */
export function pageActions(store, send, boot, { sendFocus = true } = {}) {
  const limits = () => (store.get().server && store.get().server.limits) || boot.limits;
  const drives = () => !store.get().readOnly;
  const command = (type) => drives() && send({ type });
  const config = (partial) => {
    if (!drives()) return;
    store.update((s) => changeSetup(s, partial));
    // Offline, the change waits in the setup (and the URL); the weights in hand no longer fit it,
    // so the reconnect sends the config rather than restoring them.
    if (!send({ type: "config", config: partial })) store.update((s) => ({ ...s, restorable: false }));
  };
  return {
    config,
    command,
    playPause: () => command(store.get().server && store.get().server.playing ? "pause" : "play"),
    step: () => command("step"),
    reset: () => command("reset"),
    speed: (eps) => drives() && send({ type: "speed", eps }),
    display: (key, value) => store.update((s) => changeSetup(s, { [key]: value })),
    projector: () => store.update((s) => changeSetup(s, { projector: !s.setup.projector })),
    layers: (delta) => config({ networkShape: changeLayers(store.get().setup.networkShape, delta, limits().maxHiddenLayers) }),
    neurons: (h, delta) => config({ networkShape: changeNeurons(store.get().setup.networkShape, h, delta, limits().maxNeurons) }),
    toggleFeature: (key) => config({ [key]: !store.get().setup[key] }),
    focus: (node) => {
      store.update((s) => (s.focus === node ? s : { ...s, focus: node }));
      if (sendFocus && drives()) send({ type: "focus", node });
    },
    edit: (target, value) => drives() && send(setWeightMessage(target, value)),
    // Reading, not driving: a follower may ask about the room's network too.
    inspect: (message) => (drives() || store.get().shown === "room") && send(message),
    /** Any other request (points, upload, export, import, replay): sent as it is. */
    request: (message) => drives() && send(message),
    /** A problem the page found itself (a file it cannot read), shown like a server error. */
    fail: (field, message) => store.update((s) => ({ ...s, errors: [...s.errors.slice(-9), { type: "error", request: null, field, value: null, allowed: "", message }] })),
    /** Open the inspector on a weight or bias {layer, to, from | bias}. */
    explain: (target) => store.update((s) => ({ ...s, picked: { ...target } })),
  };
}
