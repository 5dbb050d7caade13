/**
 * Asking before something cannot be undone (closing the room, replacing one's own network): a
 * modal dialog on the page, its buttons saying what each choice does.
 */

function dialogOf(doc) {
  let dialog = doc.querySelector('[data-testid="confirm"]');
  if (dialog) return dialog;
  dialog = doc.createElement("dialog");
  dialog.className = "room-dialog";
  dialog.dataset.testid = "confirm";
  const text = doc.createElement("p");
  text.id = "confirm-text";
  dialog.setAttribute("aria-describedby", text.id);
  const row = doc.createElement("div");
  row.className = "room-dialog-buttons";
  const button = (testid, value, strong) => {
    const b = Object.assign(doc.createElement("button"), { type: "button", value });
    b.className = strong ? "room-button strong" : "room-button";
    b.dataset.testid = testid;
    b.addEventListener("click", () => dialog.close(value));
    return b;
  };
  row.append(button("confirm-no", "no", false), button("confirm-yes", "yes", true));
  dialog.append(text, row);
  // Esc closes the dialog only: it must not also end a spotlight behind it.
  dialog.addEventListener("keydown", (event) => event.key === "Escape" && event.stopPropagation());
  doc.body.append(dialog);
  return dialog;
}

/**
 * Ask `question`; resolves true for `yes` (the button that acts), false for `no` or Esc (and at
 * once for a second question while one is open). The safe choice has the focus.
 */
export function confirmAction(doc, question, { yes, no }) {
  const dialog = dialogOf(doc);
  if (dialog.open) return Promise.resolve(false);
  dialog.querySelector("#confirm-text").textContent = question;
  dialog.querySelector('[data-testid="confirm-yes"]').textContent = yes;
  const keep = dialog.querySelector('[data-testid="confirm-no"]');
  keep.textContent = no;
  dialog.returnValue = "no";
  dialog.showModal();
  keep.focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}
