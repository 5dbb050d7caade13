// The one keyboard map: each page's keys, typing left alone, the help listing them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { actionFor, helpRows, KEYMAPS } from "../../static/js/keyboard.js";

const press = (key, extra = {}) => ({ key, target: { tagName: "BODY" }, ...extra });

test("the playground's keys: space, right arrow, r, p", () => {
  const keys = KEYMAPS.playground;
  assert.equal(actionFor(press(" "), keys), "playPause");
  assert.equal(actionFor(press("ArrowRight"), keys), "step");
  assert.equal(actionFor(press("r"), keys), "reset");
  assert.equal(actionFor(press("R"), keys), "reset");
  assert.equal(actionFor(press("p"), keys), "projector");
  assert.equal(actionFor(press("x"), keys), null);
  assert.equal(actionFor(press("Escape"), keys), null);
});

test("the lessons keep their own keys", () => {
  assert.equal(actionFor(press(" "), KEYMAPS.backprop), "next");
  assert.equal(actionFor(press("ArrowRight"), KEYMAPS.backprop), "next");
  assert.equal(actionFor(press("ArrowLeft"), KEYMAPS.backprop), "back");
  assert.equal(actionFor(press(" "), KEYMAPS.linreg), "playPause");
  assert.equal(actionFor(press("End"), KEYMAPS.linreg), "end");
  assert.equal(actionFor(press("Home"), KEYMAPS.linreg), "reset");
  assert.equal(actionFor(press("Escape"), KEYMAPS.instructor), "endSpotlight");
});

test("? opens the help anywhere; while it is open only Esc (close) and ? count", () => {
  assert.equal(actionFor(press("?"), KEYMAPS.linreg), "help");
  assert.equal(actionFor(press(" "), KEYMAPS.playground, true), null);
  assert.equal(actionFor(press("Escape"), KEYMAPS.instructor, true), "closeHelp");
  assert.equal(actionFor(press("?"), KEYMAPS.playground, true), "help");
});

test("typing in a field and shortcuts with a modifier are left to the browser", () => {
  for (const tagName of ["INPUT", "SELECT", "TEXTAREA"]) {
    assert.equal(actionFor(press(" ", { target: { tagName } }), KEYMAPS.playground), null);
  }
  assert.equal(actionFor(press("r", { target: { tagName: "DIV", isContentEditable: true } }), KEYMAPS.playground), null);
  assert.equal(actionFor(press("r", { ctrlKey: true }), KEYMAPS.playground), null);
  assert.equal(actionFor(press("r", { metaKey: true }), KEYMAPS.playground), null);
  assert.equal(actionFor(press("ArrowRight", { altKey: true }), KEYMAPS.playground), null);
  assert.equal(actionFor(press(" ", { target: { tagName: "BUTTON" } }), KEYMAPS.playground), "playPause");
});

test("Space and Enter on a control reached by keyboard act on that control", () => {
  const control = (tagName, role = null) => ({ tagName, getAttribute: (name) => (name === "role" ? role : null) });
  const byKeyboard = (key, target, keymap) => actionFor(press(key, { target }), keymap, false, true);
  assert.equal(byKeyboard(" ", control("BUTTON"), KEYMAPS.playground), null);
  assert.equal(byKeyboard("Enter", control("A"), KEYMAPS.playground), null);
  assert.equal(byKeyboard(" ", control("DIV", "button"), KEYMAPS.playground), null);
  assert.equal(byKeyboard(" ", control("BUTTON"), KEYMAPS.backprop), null);
  // Clicked with the mouse: Space is still the page's key; other keys always are.
  assert.equal(actionFor(press(" ", { target: control("BUTTON") }), KEYMAPS.playground, false, false), "playPause");
  assert.equal(byKeyboard("ArrowRight", control("BUTTON"), KEYMAPS.playground), "step");
  assert.equal(byKeyboard(" ", control("DIV"), KEYMAPS.playground), "playPause");
  assert.equal(actionFor(press("Home"), KEYMAPS.backprop), "first");
  assert.equal(actionFor(press("End"), KEYMAPS.backprop), "last");
});

test("no key means two things on one page, and the help lists every binding", () => {
  for (const [page, keymap] of Object.entries(KEYMAPS)) {
    const keys = keymap.flatMap((b) => b.keys);
    assert.equal(new Set(keys).size, keys.length, page);
    assert.ok(!keys.includes("?"), page);
    const rows = helpRows(keymap);
    assert.equal(rows.length, keymap.length + 2);
    assert.deepEqual(rows.at(-2), ["?", "this help"]);
    assert.ok(rows.every(([key, what]) => key && what), page);
  }
});
