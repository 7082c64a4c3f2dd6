// goodstanding console: keyboard shortcuts (a button's data-key) and revealing blurred
// flagged text (a data-reveal button uncovers every .blurred element). Pages work without it.
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
    for (const box of document.querySelectorAll(".blurred")) box.classList.remove("blurred");
    reveal.setAttribute("aria-expanded", "true");
  }
});
