/** The site header on every page (templates/partials/header.html): its tools and the keyboard help. */

import { bindKeys, helpRows } from "./keyboard.js";
import { watch } from "./store.js";

const STATUS_TEXT = { connected: "connected", connecting: "connecting…", closed: "room closed", idle: "not in a room" };

function mountHelp(doc, keymap) {
  const overlay = doc.querySelector('[data-testid="help"]');
  const list = overlay.querySelector("[data-keys]");
  for (const [key, what] of helpRows(keymap)) {
    const dt = doc.createElement("dt");
    for (const [i, part] of key.split(" or ").entries()) {
      if (i) dt.append(" or ");
      dt.append(Object.assign(doc.createElement("kbd"), { textContent: part }));
    }
    list.append(dt, Object.assign(doc.createElement("dd"), { textContent: what }));
  }
  const help = {
    isOpen: () => !overlay.hidden,
    toggle(show = overlay.hidden) {
      overlay.hidden = !show;
      if (show) overlay.querySelector("button").focus();
    },
  };
  doc.querySelector('[data-testid="help-button"]').addEventListener("click", () => help.toggle(true));
  overlay.querySelector('[data-action="close-help"]').addEventListener("click", () => help.toggle(false));
  overlay.addEventListener("click", (e) => e.target === overlay && help.toggle(false));
  return help;
}

/**
 * Wire the header on a store holding `setup.projector`, `setup.colorblind` and `status`: the
 * projector button (also `p`), the palette toggle and the connection status show the store; the
 * page's `keymap` (keyboard.js) calls `actions`, which must include projector() and display().
 */
export function mountHeader(doc, store, keymap, actions) {
  bindKeys(doc, keymap, actions, mountHelp(doc, keymap));
  const projector = doc.querySelector('[data-testid="projector"]');
  projector.addEventListener("click", () => actions.projector());
  watch(store, (s) => Boolean(s.setup.projector), (on) => {
    doc.body.classList.toggle("projector", on);
    projector.setAttribute("aria-pressed", String(on));
  });
  const colorblind = doc.getElementById("colorblind");
  if (colorblind) {
    colorblind.addEventListener("change", () => actions.display("colorblind", colorblind.checked));
    watch(store, (s) => Boolean(s.setup.colorblind), (on) => { colorblind.checked = on; });
  }
  const status = doc.querySelector('[data-testid="connection-status"]');
  if (status) {
    watch(store, (s) => s.status, ({ state, detail }) => {
      // A countdown is read out once, not every second.
      status.setAttribute("aria-live", state === "full" && status.dataset.state === "full" ? "off" : "polite");
      status.dataset.state = state;
      const own = state === "full" || state === "waiting"; // the detail says it all
      status.textContent = STATUS_TEXT[state] || (own ? detail : `offline, ${detail}`);
      status.title = detail;
    });
  }
}
