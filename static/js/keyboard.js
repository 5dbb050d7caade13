/** One keyboard for every page: which key does what on each page, and the help that lists them. */

/** A key binding: the keys, the action it calls, and how the help overlay shows it. */
const bind = (keys, action, label, help) => ({ keys, action, label, help });

const PLAY = bind([" "], "playPause", "Space", "play / pause");
const STEP = bind(["ArrowRight"], "step", "→", "step one epoch");
const RESET = bind(["r", "R"], "reset", "r", "reset the network");
const PROJECTOR = bind(["p", "P"], "projector", "p", "projector mode on / off");
// Help only: the network diagram handles these keys itself (views/network-keys.js).
const DIAGRAM = bind([], null, "Tab, then ← ↑ → ↓", "move in the network; Enter or Space toggles a feature, shows a neuron large or edits a weight or bias");

/** Each page's keys; `?` (this help) and Esc (close it) work everywhere and come first. */
export const KEYMAPS = {
  page: [PROJECTOR],
  playground: [PLAY, STEP, RESET, PROJECTOR, DIAGRAM],
  student: [PLAY, STEP, RESET, PROJECTOR, DIAGRAM],
  instructor: [PLAY, STEP, RESET, PROJECTOR, DIAGRAM, bind(["Escape"], "endSpotlight", "Esc", "back to your network from a spotlight")],
  backprop: [
    bind(["ArrowRight", " "], "next", "→ or Space", "next step"),
    bind(["ArrowLeft"], "back", "←", "previous step"),
    bind(["Home"], "first", "Home", "back to the start"),
    bind(["End"], "last", "End", "show every step"),
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
const CONTROLS = new Set(["BUTTON", "A", "SUMMARY"]);
const ROLES = new Set(["button", "checkbox", "switch", "radio", "tab", "menuitem", "option", "link"]);

/**
 * Whether a focused control takes this key itself: Space and Enter press a focused button, link
 * or role=button, when the focus came by keyboard: after a mouse click on Step, Space still plays.
 */
function ownKey(target, key, keyboardFocus) {
  if (key !== " " && key !== "Enter") return false;
  const control = CONTROLS.has(target.tagName) || ROLES.has(target.getAttribute ? target.getAttribute("role") : null);
  return control && keyboardFocus;
}

let pointerFocused = null; // the element a mouse, pen or finger last put the focus on

/** Whether `el` has the focus because it was clicked or tapped (not reached by keyboard). */
export function focusedByPointer(el) {
  return el === pointerFocused;
}

function trackPointer(doc) {
  let pressed = null;
  doc.addEventListener("pointerdown", (e) => { pressed = e.target; }, true);
  doc.addEventListener("keydown", () => { pressed = null; }, true);
  doc.addEventListener("focusin", (e) => {
    pointerFocused = pressed && (e.target === pressed || e.target.contains(pressed)) ? e.target : null;
    pressed = null;
  }, true);
}

/**
 * What a key press means: "help", "closeHelp", an action of `keymap`, or null (not ours: typing in
 * a field, Space or Enter on a control focused by keyboard, a shortcut with a modifier, or any key
 * but Esc while the help is open). `event` needs key, ctrlKey, metaKey, altKey and target
 * {tagName, isContentEditable, getAttribute?}; `keyboardFocus`: the target was reached by keyboard.
 */
export function actionFor(event, keymap, helpOpen = false, keyboardFocus = false) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target || {};
  if (TYPING.has(target.tagName) || target.isContentEditable) return null;
  if (ownKey(target, event.key, keyboardFocus)) return null;
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
  trackPointer(doc);
  doc.addEventListener("keydown", (event) => {
    if (event.defaultPrevented) return; // a view took it (the network diagram's arrow keys)
    const target = event.target;
    const keyboardFocus = target !== doc.body && target !== doc.documentElement && !focusedByPointer(target);
    const action = actionFor(event, keymap, help.isOpen(), keyboardFocus);
    if (action === null) return;
    if (action === "help") help.toggle();
    else if (action === "closeHelp") help.toggle(false);
    else if (!actions[action]) return;
    else {
      // A button clicked with the mouse keeps the focus: Space is the page's key, not a click.
      if (event.key === " " && event.target.tagName === "BUTTON") event.target.blur();
      actions[action]();
    }
    event.preventDefault();
  });
}
