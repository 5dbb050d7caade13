/** Hover (or focus) a link or bias to read its value live; click, tap or Enter to type a new one. */

function describe(t) {
  return t.bias ? "Bias" : "Weight";
}

function sameTarget(a, b) {
  return a && b && a.layer === b.layer && a.to === b.to && a.from === b.from && !!a.bias === !!b.bias;
}

/** A weight as the tooltip and the accessible names show it: 3 decimals, "—" when not finite. */
export function formatValue(v) {
  if (!Number.isFinite(v)) return "—";
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

export class WeightEditor {
  /** root: the positioned container; onEdit(target, value) sends the change; onExplain(target). */
  constructor(root, onEdit, onExplain = null) {
    this.root = root;
    this.onEdit = onEdit;
    this.onExplain = onExplain;
    this.tip = null;
    this.form = null;
    this.hovered = null;
    this.editing = null;
  }

  /** Put `el` at a point {clientX, clientY}, `dy` px below it (above for a negative dy). */
  place(el, point, dy) {
    const box = this.root.getBoundingClientRect();
    el.style.left = `${point.clientX - box.left + this.root.scrollLeft + 12}px`;
    el.style.top = `${point.clientY - box.top + this.root.scrollTop + dy}px`;
  }

  ensureTip() {
    if (!this.tip || !this.tip.isConnected) {
      this.tip = document.createElement("div");
      this.tip.className = "weight-tip";
      this.tip.dataset.testid = "weight-tooltip";
      this.tip.setAttribute("aria-hidden", "true"); // the focused item's own name says the value
      this.root.append(this.tip);
    }
    return this.tip;
  }

  hover(target, point, value) {
    this.hovered = target;
    if (sameTarget(target, this.editing)) return; // its editor shows the value already
    const tip = this.ensureTip();
    tip.hidden = false;
    tip.textContent = `${describe(target)} is ${formatValue(value)}`;
    this.place(tip, point, -30);
  }

  move(point) {
    if (this.tip && this.hovered && !this.tip.hidden) this.place(this.tip, point, -30);
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
      this.tip.textContent = `${describe(this.hovered)} is ${formatValue(valueOf(this.hovered))}`;
    }
  }

  /**
   * A small form below the point: the parameter's name and its value to edit. `onClose` runs when
   * it closes by Enter or Esc (the diagram puts the keyboard focus back on the item).
   */
  open(target, point, value, name, onClose = () => {}) {
    this.close();
    this.editing = target;
    if (this.tip) this.tip.hidden = true;
    const form = document.createElement("form");
    form.className = "weight-editor";
    const label = document.createElement("label");
    label.className = "weight-name";
    label.textContent = name;
    const input = document.createElement("input");
    input.type = "number";
    input.step = "any";
    input.inputMode = "decimal";
    input.value = Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : "0";
    input.dataset.testid = "weight-input";
    input.setAttribute("aria-label", name);
    label.append(input);
    const error = document.createElement("span");
    error.className = "error";
    error.dataset.errorFor = "weight";
    error.setAttribute("role", "alert");
    form.append(label, error);
    if (this.onExplain) {
      // The tap or key that opened the editor leads on to the inspector's chain rule.
      const why = document.createElement("button");
      why.type = "button";
      why.className = "weight-why";
      why.dataset.testid = "weight-explain";
      why.textContent = "Explain its gradient";
      why.addEventListener("click", () => {
        this.close();
        this.onExplain(target);
      });
      form.append(why);
    }
    const done = () => {
      this.close();
      onClose();
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const v = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(v)) {
        error.textContent = "Type a number, such as 0.5 or -1.2";
        return;
      }
      this.onEdit(target, v);
      done();
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") done();
      e.stopPropagation();
    });
    // Leaving the editor closes it; moving within it (Tab to its button) does not.
    form.addEventListener("focusout", (e) => {
      if (!form.contains(e.relatedTarget)) setTimeout(() => this.close(form), 150);
    });
    this.form = form;
    this.place(form, point, 14);
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
