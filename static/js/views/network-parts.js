/** The diagram's parts built for a NetworkView: layer buttons, links and biases with their targets. */

const SVG = "http://www.w3.org/2000/svg";
const HIT = 24; // px: a bias is a small square, its target is at least this large

export function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** The + and − buttons over hidden layer h and its count of neurons. */
export function addLayerControls(view, h, x, s, narrow) {
  const box = document.createElement("div");
  box.className = "layer-controls";
  box.style.left = `${x + s.node / 2}px`;
  const n = view.layers[h + 1];
  const button = (text, delta, testid, label, disabled) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "round small";
    b.textContent = text;
    b.dataset.testid = testid;
    b.setAttribute("aria-label", label);
    b.disabled = disabled || !view.editable.neurons;
    b.addEventListener("click", () => view.cb.onNeurons(h, delta));
    return b;
  };
  const row = document.createElement("div");
  row.append(
    button("+", 1, `add-neuron-${h}`, `Add a neuron to hidden layer ${h + 1}`, n >= view.maxNeurons),
    button("−", -1, `remove-neuron-${h}`, `Remove a neuron from hidden layer ${h + 1}`, n <= 1),
  );
  const count = document.createElement("div");
  count.className = "neuron-count";
  // Six layers side by side leave no room for the word.
  count.textContent = narrow ? String(n) : `${n} neuron${n === 1 ? "" : "s"}`;
  box.append(row, count);
  view.root.append(box);
}

/** Every link (a drawn curve and a wider hit path) and every bias (a square and its target). */
export function buildLinks(view, pos, s) {
  const half = s.node / 2;
  for (let l = 0; l + 1 < pos.length; l++) {
    pos[l + 1].forEach(([x2, y2], to) => {
      pos[l].forEach(([x1, y1], from) => {
        const ax = x1 + s.node;
        const ay = y1 + half;
        const by = y2 + half;
        const mx = (ax + x2) / 2;
        const d = `M${ax},${ay} C${mx},${ay} ${mx},${by} ${x2},${by}`;
        const target = { layer: l, to, from };
        const path = svg("path", { d, class: "link" });
        const hit = svg("path", { d, class: "hit", "data-testid": `link-${l}-${to}-${from}` });
        view.bindTarget(hit, target);
        view.keys.add(hit, l + 1, view.keys.rowOf(l + 1, "weight", to, from));
        view.linkLayer.append(path);
        view.hitLayer.append(hit);
        view.links.push([path, l, to * pos[l].length + from]);
      });
      const size = s.bias;
      const [bx, by] = [x2 - size - 2, y2 + s.node - size];
      const rect = svg("rect", { x: bx, y: by, width: size, height: size, class: "bias" });
      // The square is small, as in the original; its target around it is not.
      const c = HIT / 2;
      const hit = svg("rect", {
        x: bx + size / 2 - c, y: by + size / 2 - c, width: HIT, height: HIT, class: "bias-hit", "data-testid": `bias-${l}-${to}`,
      });
      view.bindTarget(hit, { layer: l, to, bias: true });
      view.keys.add(hit, l + 1, view.keys.rowOf(l + 1, "bias", to));
      view.linkLayer.append(rect);
      view.hitLayer.append(hit);
      view.biases.push([rect, l, to]);
    });
  }
}
