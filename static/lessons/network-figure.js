/** The lecture's 2-2-2 figure as SVG: neurons i1, i2, h1, h2, o1, o2, weights w1..w8, b1..b4. */

const SVG = "http://www.w3.org/2000/svg";
// Inputs, hidden and output columns; the top row's labels sit above it, the bottom row's below,
// so the middle belongs to the links and nothing overlaps (viewBox 820 x 440).
const NODES = {
  i1: [100, 120], i2: [100, 320], h1: [360, 120], h2: [360, 320], o1: [620, 120], o2: [620, 320],
};
const TOP = new Set(["i1", "h1", "o1"]);
// [weight, from, to, where along the link its label sits]: straight links at the middle, the
// crossing ones a quarter of the way along, before the crossing.
const LINKS = [
  ["w1", "i1", "h1", 0.5], ["w2", "i2", "h1", 0.25], ["w3", "i1", "h2", 0.25], ["w4", "i2", "h2", 0.5],
  ["w5", "h1", "o1", 0.5], ["w6", "h2", "o1", 0.25], ["w7", "h1", "o2", 0.25], ["w8", "h2", "o2", 0.5],
];
const BIASES = { b1: "h1", b2: "h2", b3: "o1", b4: "o2" };

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draw the figure into `svg`; returns update(marks, values) to highlight and label it. */
export function drawNetwork(svg, { weights, biases, inputs, targets }) {
  svg.replaceChildren();
  for (const [w, a, b, t] of LINKS) {
    const [x1, y1] = NODES[a];
    const [x2, y2] = NODES[b];
    const g = el("g", { class: "link", "data-id": w });
    g.append(el("line", { x1, y1, x2, y2 }));
    const lx = x1 + (x2 - x1) * t;
    // Above a link of the top row, below one of the bottom row, beside a crossing one.
    const ly = y1 + (y2 - y1) * t + (y1 === y2 ? (TOP.has(a) ? -10 : 26) : 6);
    g.append(el("text", { x: lx, y: ly, class: "link-label" }, `${w} = ${weights[w]}`));
    svg.append(g);
  }
  for (const [name, [x, y]] of Object.entries(NODES)) {
    const g = el("g", { class: "node", "data-id": name });
    g.append(el("circle", { cx: x, cy: y, r: 26 }));
    g.append(el("text", { x, y: y + 6, class: "node-label" }, name));
    g.append(el("text", { x, y: TOP.has(name) ? y - 64 : y + 56, class: "node-value", "data-value-of": name }, ""));
    svg.append(g);
  }
  for (const [b, node] of Object.entries(BIASES)) {
    const [x, y] = NODES[node];
    const g = el("g", { class: "bias", "data-id": b });
    g.append(el("text", { x, y: TOP.has(node) ? y - 38 : y + 84, class: "bias-label", "text-anchor": "middle" },
      `${b} = ${Number(biases[b].toFixed(4))}`));
    svg.append(g);
  }
  const io = [["i1", inputs[0], -1], ["i2", inputs[1], -1], ["o1", targets[0], 1], ["o2", targets[1], 1]];
  for (const [name, v, side] of io) {
    const [x, y] = NODES[name];
    const text = side < 0 ? `${v}` : `target ${v}`;
    svg.append(el("text", { x: x + side * 34, y: y + 5, class: "io-label",
      "text-anchor": side < 0 ? "end" : "start" }, text));
  }
  return function update(marks, values) {
    for (const g of svg.querySelectorAll("[data-id]")) {
      g.classList.toggle("mark", marks.includes(g.dataset.id));
    }
    for (const t of svg.querySelectorAll("[data-value-of]")) {
      const v = values[`out_${t.dataset.valueOf}`];
      t.textContent = v === undefined ? "" : `out ${v.toFixed(4)}`;
    }
  };
}
