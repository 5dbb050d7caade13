/** The playground's URL hash follows the page's setup; a hash edited by hand changes the setup. */

import { parseHash, serializeHash } from "./state.js";

/** Keep `location.hash` in step with the store's setup; `send` carries a hand-edited config. */
export function bindHash(store, boot, send) {
  store.subscribe((s, previous) => {
    if (!previous || s.setup === previous.setup) return;
    const hash = serializeHash(s.setup);
    if (location.hash !== hash) history.replaceState(null, "", hash);
  });
  addEventListener("hashchange", () => {
    const setup = parseHash(location.hash, boot.defaults);
    store.update((s) => ({ ...s, setup }));
    const known = (store.get().server || {}).config || {};
    send({ type: "config", config: Object.fromEntries(Object.entries(setup).filter(([k]) => k in known)) });
  });
}
