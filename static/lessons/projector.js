/** Projector mode on every lesson page: large type, toggled by a button or `?projector=1`. */

const button = document.getElementById("projector-toggle");

function set(on) {
  document.body.classList.toggle("projector", on);
  button.setAttribute("aria-pressed", String(on));
  const url = new URL(window.location.href);
  if (on) url.searchParams.set("projector", "1");
  else url.searchParams.delete("projector");
  window.history.replaceState(null, "", url);
}

button.addEventListener("click", () => set(!document.body.classList.contains("projector")));
