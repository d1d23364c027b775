// Keyboard and small screens, on every page (signed in or not). Without this file the
// navigation simply stays open and links to #fragments still scroll.
//
// - On narrow screens the header's navigation folds behind a "Menu" button
//   (aria-expanded / aria-controls); wider screens always show it.
// - A page opened at a #fragment whose element takes focus (tabindex="-1": a new post after
//   posting, the next request after deciding one) focuses it, so keyboard and screen-reader
//   users continue from there instead of from the top of the page.

const NARROW = window.matchMedia("(max-width: 48rem)");

function setUpMenu() {
  const button = document.querySelector(".menu-toggle");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!button || !menu) return;
  const header = button.closest(".site-header");

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("site-menu--open", open);
  }

  function fit() {
    // Folded by default on a narrow screen; always open on a wide one.
    show(!NARROW.matches);
  }

  button.hidden = false;
  header.classList.add("site-header--collapsible");
  fit();
  NARROW.addEventListener("change", fit);
  button.addEventListener("click", () => show(button.getAttribute("aria-expanded") !== "true"));
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && NARROW.matches) {
      show(false);
      button.focus();
    }
  });
}

function focusTarget() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  if (!id) return;
  const target = document.getElementById(id);
  if (target && target.getAttribute("tabindex") === "-1" && document.activeElement !== target) {
    target.focus();
  }
}

setUpMenu();
focusTarget();
window.addEventListener("hashchange", focusTarget);
