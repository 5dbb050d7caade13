/** One keyboard for every page: which key does what on each page, and the help that lists them. */

/** A key binding: the keys, the action it calls, and how the help overlay shows it. */
const bind = (keys, action, label, help) => ({ keys, action, label, help });

const PLAY = bind([" "], "playPause", "Space", "play / pause");
const STEP = bind(["ArrowRight"], "step", "→", "step one epoch");
const RESET = bind(["r", "R"], "reset", "r", "reset the network");
const PROJECTOR = bind(["p", "P"], "projector", "p", "projector mode on / off");

/** Each page's keys; `?` (this help) and Esc (close it) work everywhere and come first. */
export const KEYMAPS = {
  page: [PROJECTOR],
  playground: [PLAY, STEP, RESET, PROJECTOR],
  student: [PLAY, STEP, RESET, PROJECTOR],
  instructor: [PLAY, STEP, RESET, PROJECTOR, bind(["Escape"], "endSpotlight", "Esc", "back to your network from a spotlight")],
  backprop: [
    bind(["ArrowRight", " "], "next", "→ or Space", "next step"),
    bind(["ArrowLeft"], "back", "←", "previous step"),
    PROJECTOR,
  ],
  linreg: [
    bind([" "], "playPause", "Space", "play / pause"),
    bind(["ArrowRight"], "step", "→", "one gradient-descent step"),
    bind(["ArrowLeft"], "back", "←", "one step back"),
    bind(["Home", "r", "R"], "reset", "r or Home", "back to the start"),
    bind(["End"], "end", "End", "jump to the last step"),
    PROJECTOR,
  ],
};

const TYPING = new Set(["INPUT", "SELECT", "TEXTAREA"]);

/**
 * What a key press means: "help", "closeHelp", an action of `keymap`, or null (not ours: typing in
 * a field, a shortcut with a modifier, or any key but Esc while the help is open).
 * `event` needs key, ctrlKey, metaKey, altKey and target {tagName, isContentEditable}.
 */
export function actionFor(event, keymap, helpOpen = false) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target || {};
  if (TYPING.has(target.tagName) || target.isContentEditable) return null;
  if (event.key === "?") return "help";
  if (helpOpen) return event.key === "Escape" ? "closeHelp" : null;
  const binding = keymap.find((b) => b.keys.includes(event.key));
  return binding ? binding.action : null;
}

/** The help overlay's rows: [key label, what it does], the page's keys then ? and Esc. */
export function helpRows(keymap) {
  return [...keymap.map((b) => [b.label, b.help]), ["?", "this help"], ["Esc", "close this help"]];
}

/**
 * Listen for the page's keys on `doc`: `actions[name]()` for each binding's action, and
 * `help.toggle(show?)` / `help.isOpen()` for the overlay. Space always means the page's own key:
 * a focused button must not also take it as a click on keyup.
 */
export function bindKeys(doc, keymap, actions, help) {
  doc.addEventListener("keydown", (event) => {
    const action = actionFor(event, keymap, help.isOpen());
    if (action === null) return;
    if (action === "help") help.toggle();
    else if (action === "closeHelp") help.toggle(false);
    else if (!actions[action]) return;
    else {
      if (event.key === " " && event.target.tagName === "BUTTON") event.target.blur();
      actions[action]();
    }
    event.preventDefault();
  });
}
