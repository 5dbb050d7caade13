/** Small views shared by the classroom pages: a test id lookup, a refused request's words, a dialog. */

export const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

/** A refused request (creating or joining a room): its message, written for people by the server. */
export function showError(target, message) {
  target.textContent = message ? message.message || `${message.field}: ${message.allowed}` : "";
}

/** The room's closing, said on the page. */
export function closedText(reason) {
  return `The room is closed: ${reason}.`;
}

/** A dialog opened by `opener` and closed by its `closer` button, Esc or a click beside it. */
export function mountDialog(dialog, opener, closer) {
  opener.addEventListener("click", () => dialog.open || dialog.showModal());
  closer.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => event.target === dialog && dialog.close());
  // Esc closes the dialog only: it must not also end a spotlight behind it.
  dialog.addEventListener("keydown", (event) => event.key === "Escape" && event.stopPropagation());
}
