/**
 * The instructor's secret: the room's code and token arrive in the private link's fragment; the
 * page takes them out of the address bar at once (a projector shows it) and keeps them in this
 * tab's storage, so a reload still finds the room.
 */

export const SECRET_KEY = "classroom-instructor";

/** `#code=..&token=..` -> {code, token}, or null. */
export function secretFromFragment(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const code = params.get("code");
  const token = params.get("token");
  return code && token ? { code, token } : null;
}

/** The private link that brings the instructor back to the room (to keep, never to show). */
export function privateLink(origin, { code, token }) {
  return `${origin}/classroom/new#code=${encodeURIComponent(code)}&token=${encodeURIComponent(token)}`;
}

/**
 * The room this tab teaches, from the fragment (then removed from the address bar and kept in
 * `storage`) or from `storage`; null when there is none. `win` has location, history.
 */
export function takeSecret(win, storage) {
  const fromLink = secretFromFragment(win.location.hash);
  if (fromLink) {
    keepSecret(win, storage, fromLink);
    return fromLink;
  }
  try {
    const kept = JSON.parse(storage.getItem(SECRET_KEY) || "null");
    return kept && kept.code && kept.token ? kept : null;
  } catch {
    return null;
  }
}

/** Keep the secret in `storage` and leave the address bar without it. */
export function keepSecret(win, storage, secret) {
  try {
    storage.setItem(SECRET_KEY, JSON.stringify(secret));
  } catch {
    // Storage refused: the room works until a reload; the private link is still shown to keep.
  }
  win.history.replaceState(null, "", win.location.pathname + win.location.search);
}

/** The room is gone: forget it. */
export function forgetSecret(storage) {
  try {
    storage.removeItem(SECRET_KEY);
  } catch {
    // Nothing kept.
  }
}
