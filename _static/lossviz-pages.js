// Small reading aids on every page (styles in lossviz-pages.css).
"use strict";

// Display equations wider than their box scroll sideways. Mark those boxes so that the
// stylesheet fades the edge hiding more of the formula, let the keyboard reach them,
// and keep the marks right when the reader scrolls or the window changes size.
function lossvizMarkEquation(box) {
  const scrollable = box.scrollWidth > box.clientWidth + 1;
  box.classList.toggle("lossviz-scrollable", scrollable);
  if (!scrollable) return;
  box.dataset.atStart = String(box.scrollLeft <= 1);
  box.dataset.atEnd = String(box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
  if (!box.hasAttribute("tabindex")) box.tabIndex = 0;
}

function lossvizWatchEquations() {
  const boxes = document.querySelectorAll('div.math mjx-container[display="true"]');
  const resized = new ResizeObserver((entries) => entries.forEach((e) => lossvizMarkEquation(e.target)));
  boxes.forEach((box) => {
    lossvizMarkEquation(box);
    resized.observe(box);
    box.addEventListener("scroll", () => lossvizMarkEquation(box), {passive: true});
  });
}

// MathJax typesets after the page has loaded; wait for it before measuring.
function lossvizWhenTypeset(callback, tries = 200) {
  const startup = window.MathJax && window.MathJax.startup;
  if (startup && startup.promise) startup.promise.then(callback);
  else if (tries > 0) setTimeout(() => lossvizWhenTypeset(callback, tries - 1), 50);
}

// Theme chrome that assistive technology could not name or place (axe-core):
// - the left sidebar's book title and search button sat outside any landmark;
// - the sidebar's fold toggles (<summary> with only a chevron icon) had no name;
// - myst-nb names every hide-input toggle "Toggle hidden content" while it shows
//   "Show code cell source": a name must contain the visible label, so the visible
//   text becomes the name.
function lossvizLabelChrome() {
  document.querySelectorAll("div.cell details.hide > summary[aria-label]").forEach((summary) => {
    summary.removeAttribute("aria-label");
  });
  const sidebar = document.getElementById("pst-primary-sidebar");
  if (sidebar && !sidebar.hasAttribute("role")) {
    sidebar.setAttribute("role", "complementary");
    sidebar.setAttribute("aria-label", "Book navigation");
  }
  document.querySelectorAll("nav.bd-docs-nav summary").forEach((summary) => {
    if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
    const link = summary.closest("li") && summary.closest("li").querySelector(":scope > a");
    const name = link ? link.textContent.trim() : "this part";
    summary.setAttribute("aria-label", `Sections of ${name}`);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  lossvizLabelChrome();
  lossvizWhenTypeset(lossvizWatchEquations);
});
