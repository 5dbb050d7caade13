/**
 * A page without a socket (a lesson, the classroom's door): the site header, its keys, and
 * projector mode kept in the URL (?projector=1).
 */

import { KEYMAPS } from "./keyboard.js";
import { mountHeader } from "./site-header.js";
import { watch, writable } from "./store.js";

/**
 * Mount the header with keymap `name` (keyboard.js) and the page's key `actions`; returns the
 * page store, whose `setup.projector` the page may watch to redraw.
 */
export function mountPlainPage(name, actions = {}) {
  const projector = new URLSearchParams(location.search).get("projector") === "1";
  const store = writable({ setup: { projector }, status: null });
  watch(store, (s) => s.setup.projector, (on) => {
    const url = new URL(location.href);
    if (on) url.searchParams.set("projector", "1");
    else url.searchParams.delete("projector");
    history.replaceState(null, "", url);
  });
  mountHeader(document, store, KEYMAPS[name], {
    ...actions,
    projector: () => store.update((s) => ({ ...s, setup: { ...s.setup, projector: !s.setup.projector } })),
  });
  return store;
}
