/**
 * The projector's join card: the room's code and join address in large type, and the join link
 * as a QR code drawn here (qr.js), so a class joins from a glance or a phone's camera.
 */

import { encodeQr } from "./qr.js";
import { mountDialog } from "./view.js";

const QUIET = 4; // light modules around the symbol, as the standard asks

/** The address a student opens: the code in it, so a scan lands on a filled-in form. */
export function joinLink(origin, code) {
  return `${origin}/classroom/join?code=${encodeURIComponent(code)}`;
}

/** Draw `qr` on `canvas`, `scale` pixels a module, dark on white. */
export function paintQr(canvas, qr, scale = 8) {
  const side = (qr.size + 2 * QUIET) * scale;
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, side, side);
  ctx.fillStyle = "#000";
  for (let r = 0; r < qr.size; r++) {
    for (let c = 0; c < qr.size; c++) {
      if (qr.modules[r * qr.size + c]) ctx.fillRect((c + QUIET) * scale, (r + QUIET) * scale, scale, scale);
    }
  }
}

/**
 * Wire the card (a <dialog> of the instructor's page) for room `code`: the "show" button opens
 * it, its own button or Esc closes it.
 */
export function mountJoinCard(doc, code, { origin = location.origin, host = location.host } = {}) {
  const card = doc.querySelector('[data-testid="join-card"]');
  const $ = (testid) => card.querySelector(`[data-testid="${testid}"]`);
  const link = joinLink(origin, code);
  $("join-card-code").textContent = code;
  $("join-card-url").textContent = `${host}/classroom/join`;
  const canvas = $("join-qr");
  paintQr(canvas, encodeQr(link, { level: "M" }));
  canvas.setAttribute("aria-label", `QR code of ${link}`);
  canvas.dataset.link = link;
  mountDialog(card, doc.querySelector('[data-testid="show-join"]'), $("join-card-close"));
}
