// goodstanding console: keyboard shortcuts and revealing blurred text. Pages work without it.
"use strict";
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
  const button = document.querySelector(`[data-key="${CSS.escape(event.key)}"]`);
  if (button instanceof HTMLElement) {
    event.preventDefault();
    button.click();
  }
});
document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  const reveal = target.closest("[data-reveal]");
  if (reveal) {
    const box = document.getElementById(reveal.getAttribute("data-reveal") || "");
    if (box) {
      box.classList.remove("blurred");
      reveal.setAttribute("aria-expanded", "true");
    }
  }
});
