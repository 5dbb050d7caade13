/** A lesson page's shell: the site header, projector mode kept in the URL (?projector=1), its keys. */

import { KEYMAPS } from "../js/keyboard.js";
import { mountHeader } from "../js/site-header.js";
import { watch, writable } from "../js/store.js";

/**
 * Mount the header for lesson `name` (a keyboard.js keymap) with the lesson's key `actions`;
 * returns the page store, whose `setup.projector` the lesson may watch to redraw.
 */
export function mountLesson(name, actions) {
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
