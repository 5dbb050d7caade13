/** Small views shared by the classroom pages: a test id lookup and a refused request's words. */

export const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

/** A refused request (creating or joining a room): its message, written for people by the server. */
export function showError(target, message) {
  target.textContent = message ? message.message || `${message.field}: ${message.allowed}` : "";
}

/** The room's closing, said on the page. */
export function closedText(reason) {
  return `The room is closed: ${reason}.`;
}
