/**
 * Your own points: draw them on the output picture (a class, or a value for regression), erase
 * them, clear them, or upload a CSV file. The server checks every point (engine/owndata.py).
 */

import { classColor, className } from "../classes.js";
import { paletteOf } from "../colors.js";
import { watch } from "../store.js";

export const ERASE_RADIUS = 0.4;
const STEP = 0.5; // a keyboard move, in the plane's units

/** A pointer position over a picture box {left, top, width, height} -> (x, y) in -6 .. 6. */
export function planePoint(clientX, clientY, box) {
  const clamp = (v) => Math.max(-6, Math.min(6, v));
  const x = -6 + (12 * (clientX - box.left)) / box.width;
  const y = 6 - (12 * (clientY - box.top)) / box.height;
  return [clamp(Math.round(x * 1000) / 1000), clamp(Math.round(y * 1000) / 1000)];
}

/** The `points` message a click (or Enter) at (x, y) makes. */
export function pointMessage(x, y, { erase, regression, value, drawClass }) {
  if (erase) return { type: "points", erase: [x, y, ERASE_RADIUS] };
  return { type: "points", add: [[x, y, regression ? value : drawClass]] };
}

function classButtons(doc, holder, K, names, colors, chosen, onPick) {
  holder.replaceChildren(...names.map((name, k) => {
    const b = doc.createElement("button");
    b.type = "button";
    b.dataset.testid = `draw-class-${k}`;
    b.className = "draw-class";
    b.setAttribute("aria-pressed", String(k === chosen));
    b.setAttribute("aria-label", `Draw points of ${name}`);
    b.title = name;
    b.style.setProperty("--class-color", colors[k]);
    b.textContent = String(k);
    b.addEventListener("click", () => onPick(k));
    return b;
  }));
}

/** Mount the drawing tools and the CSV upload; `readFile(input, then(text, file))` from more.js. */
export function mountDrawing(doc, root, store, boot, actions, readFile) {
  const $ = (id) => root.querySelector(`[data-testid="${id}"]`);
  const frame = doc.querySelector(".heatmap-frame");
  const picture = doc.querySelector(".heatmap-grid");
  const holder = root.querySelector(".draw-classes");
  const valueBox = root.querySelector(".draw-value");
  const cursor = doc.createElement("span");
  cursor.className = "draw-cursor";
  cursor.hidden = true;
  cursor.setAttribute("aria-hidden", "true");
  frame.append(cursor);
  const tool = { erase: false, drawClass: 0, at: [0, 0] };

  const options = () => {
    const { setup } = store.get();
    return { ...tool, regression: setup.problem === "regression", value: Number($("draw-value").value) || 0 };
  };
  const place = (x, y) => {
    const message = pointMessage(x, y, options());
    actions.request(message);
  };
  const showCursor = () => {
    const [x, y] = tool.at;
    cursor.style.left = `${((x + 6) / 12) * 100}%`;
    cursor.style.top = `${((6 - y) / 12) * 100}%`;
  };

  frame.addEventListener("click", (event) => {
    if (!store.get().setup.draw || store.get().readOnly) return;
    const [x, y] = planePoint(event.clientX, event.clientY, picture.getBoundingClientRect());
    tool.at = [x, y];
    showCursor();
    place(x, y);
  });
  frame.addEventListener("keydown", (event) => {
    if (!store.get().setup.draw) return;
    const moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, STEP], ArrowDown: [0, -STEP] };
    const clamp = (v) => Math.max(-6, Math.min(6, v));
    if (moves[event.key]) {
      const [dx, dy] = moves[event.key];
      tool.at = [clamp(tool.at[0] + dx), clamp(tool.at[1] + dy)];
      showCursor();
    } else if (event.key === "Enter" || event.key === " ") {
      place(...tool.at);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      actions.request({ type: "points", erase: [...tool.at, ERASE_RADIUS] });
    } else return;
    event.preventDefault();
    event.stopPropagation(); // the page's own keys (space plays) wait while drawing
  });

  const drawButton = $("draw");
  drawButton.addEventListener("click", () => actions.display("draw", !store.get().setup.draw));
  const eraseButton = $("draw-erase");
  eraseButton.addEventListener("click", () => {
    tool.erase = !tool.erase;
    eraseButton.setAttribute("aria-pressed", String(tool.erase));
  });
  $("draw-clear").addEventListener("click", () => actions.request({ type: "points", clear: true }));

  watch(store, (s) => s.setup.draw, (on) => {
    drawButton.setAttribute("aria-pressed", String(Boolean(on)));
    frame.classList.toggle("drawing", Boolean(on));
    cursor.hidden = !on;
    if (on) {
      frame.tabIndex = 0;
      frame.setAttribute("role", "application");
      frame.setAttribute("aria-label", "Drawing area: arrow keys move the cursor, Enter adds a point, Delete erases near it");
      showCursor();
    } else {
      frame.removeAttribute("tabindex");
      frame.removeAttribute("role");
      frame.removeAttribute("aria-label");
    }
  });

  const classCount = (s) => (s.setup.problem === "regression" ? 0 : Math.max(2, Number(s.setup.classes) || 2));
  const names = (s) => (s.setup.ownData && s.data && s.data.own ? s.data.own.names : []);
  watch(store, (s) => [classCount(s), names(s).join("\u0000"), s.setup.colorblind], ([K], s) => {
    valueBox.hidden = K !== 0;
    tool.drawClass = Math.min(tool.drawClass, Math.max(0, K - 1));
    const colors = Array.from({ length: K }, (_, k) => classColor(k, K, paletteOf(s.setup)));
    const labels = Array.from({ length: K }, (_, k) => className(k, K, names(s), Boolean(s.setup.colorblind)));
    const pick = (k) => {
      tool.drawClass = k;
      for (const b of holder.children) b.setAttribute("aria-pressed", String(b.dataset.testid === `draw-class-${k}`));
    };
    classButtons(doc, holder, K, labels, colors, tool.drawClass, pick);
  });

  const upload = $("upload-data");
  upload.addEventListener("change", () => readFile(upload, (text, file) => {
    const max = ((store.get().server || {}).limits || boot.limits).maxMessageBytes;
    const bytes = new TextEncoder().encode(text).length;
    if (bytes + 64 > max) {
      actions.fail("csv", `${file.name} is ${bytes} bytes; this server takes files up to about ${max - 64} bytes.`);
      return;
    }
    actions.request({ type: "upload", csv: text });
  }));
}
