// Behaviour every page shares, kept out of the markup so that the Content-Security-Policy
// can forbid inline script and style attributes.
(function () {
  "use strict";

  // A select that submits its form when changed (the language switcher); without
  // JavaScript a button in <noscript> does the same.
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });

  // Progress bars drawn by the server carry their width as data; the CSSOM sets it, which the
  // policy allows (a style="" attribute it would not).
  document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
    bar.style.width = bar.dataset.percent + "%";
  });

  // A table wider than a phone scrolls inside its frame; keyboard users must reach it too.
  document.querySelectorAll(".table-responsive").forEach(function (frame) {
    if (frame.scrollWidth > frame.clientWidth && !frame.hasAttribute("tabindex")) {
      frame.setAttribute("tabindex", "0");
    }
  });
})();
