/** Hover a link or bias to read its value live; click to type a new one (sent as set_weight). */

function describe(t) {
  return t.bias ? "Bias" : "Weight";
}

function sameTarget(a, b) {
  return a && b && a.layer === b.layer && a.to === b.to && a.from === b.from && !!a.bias === !!b.bias;
}

export class WeightEditor {
  /** root: the positioned container; onEdit(target, value) sends the change. */
  constructor(root, onEdit) {
    this.root = root;
    this.onEdit = onEdit;
    this.tip = null;
    this.form = null;
    this.hovered = null;
    this.editing = null;
  }

  place(el, event) {
    const box = this.root.getBoundingClientRect();
    el.style.left = `${event.clientX - box.left + 12}px`;
    el.style.top = `${event.clientY - box.top - 28}px`;
  }

  ensureTip() {
    if (!this.tip || !this.tip.isConnected) {
      this.tip = document.createElement("div");
      this.tip.className = "weight-tip";
      this.tip.dataset.testid = "weight-tooltip";
      this.tip.setAttribute("role", "status");
      this.root.append(this.tip);
    }
    return this.tip;
  }

  hover(target, event, value) {
    this.hovered = target;
    const tip = this.ensureTip();
    tip.hidden = false;
    tip.textContent = `${describe(target)} is ${format(value)}`;
    this.place(tip, event);
  }

  move(event) {
    if (this.tip && this.hovered) this.place(this.tip, event);
  }

  unhover(target) {
    if (sameTarget(target, this.hovered)) {
      this.hovered = null;
      if (this.tip) this.tip.hidden = true;
    }
  }

  /** Called on every frame: the hovered value follows training. */
  refresh(valueOf) {
    if (this.hovered && this.tip && !this.tip.hidden) {
      this.tip.textContent = `${describe(this.hovered)} is ${format(valueOf(this.hovered))}`;
    }
  }

  open(target, event, value) {
    this.close();
    this.editing = target;
    const form = document.createElement("form");
    form.className = "weight-editor";
    const input = document.createElement("input");
    input.type = "number";
    input.step = "any";
    input.value = Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : "0";
    input.dataset.testid = "weight-input";
    const where = target.bias ? `neuron ${target.to + 1} of layer ${target.layer + 1}` : `link ${target.from + 1} to ${target.to + 1} of layer ${target.layer + 1}`;
    input.setAttribute("aria-label", `${describe(target)} of ${where}`);
    const error = document.createElement("span");
    error.className = "error";
    error.dataset.errorFor = "weight";
    form.append(input, error);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const v = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(v)) {
        error.textContent = "a finite number, please";
        return;
      }
      this.onEdit(target, v);
      this.close();
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.close();
      e.stopPropagation();
    });
    input.addEventListener("blur", () => setTimeout(() => this.close(form), 150));
    this.form = form;
    this.place(form, event);
    this.root.append(form);
    input.focus();
    input.select();
  }

  close(only = null) {
    if (this.form && (only === null || only === this.form)) {
      this.form.remove();
      this.form = null;
      this.editing = null;
    }
  }
}

function format(v) {
  if (!Number.isFinite(v)) return "—";
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}
