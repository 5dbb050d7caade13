/** Keyboard shortcuts and the help overlay that lists them. */

const TYPING = new Set(["INPUT", "SELECT", "TEXTAREA"]);

export class Help {
  /** actions: {playPause, step, reset, projector}, each a function. */
  constructor(doc, actions) {
    this.doc = doc;
    this.overlay = doc.querySelector('[data-testid="help"]');
    this.actions = actions;
    doc.querySelector('[data-testid="help-button"]').addEventListener("click", () => this.toggle(true));
    this.overlay.querySelector('[data-action="close-help"]').addEventListener("click", () => this.toggle(false));
    this.overlay.addEventListener("click", (e) => {
      if (e.target === this.overlay) this.toggle(false);
    });
    doc.addEventListener("keydown", (e) => this.key(e));
  }

  toggle(show = this.overlay.hidden) {
    this.overlay.hidden = !show;
    if (show) this.overlay.querySelector("button").focus();
  }

  key(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target;
    if (TYPING.has(target.tagName) || target.isContentEditable) return;
    if (e.key === "Escape") {
      this.toggle(false);
      return;
    }
    if (e.key === "?") {
      e.preventDefault();
      this.toggle();
      return;
    }
    if (!this.overlay.hidden) return;
    // Space always means play/pause: a focused button must not also take it as a click on keyup.
    if (e.key === " " && target.tagName === "BUTTON") target.blur();
    const action = { " ": "playPause", ArrowRight: "step", r: "reset", R: "reset", p: "projector" }[e.key];
    if (action) {
      e.preventDefault();
      this.actions[action]();
    }
  }
}
