// Keeps what an officer types in this browser until the server has it, so that an expired
// session, a closed tab or a failed connection never loses a narrative. The server remains
// the record: local copies are dropped once a save succeeds for the revision they were typed on.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var key = form.dataset.draftKey;
  var savedRevision = form.dataset.savedRevision;
  var notice = document.getElementById("draft-restored");

  function textFields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === "TEXTAREA" || el.tagName === "SELECT") && el.name;
    });
  }

  function read() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function store() {
    var values = {};
    textFields().forEach(function (el) { values[el.name] = el.value; });
    try {
      window.localStorage.setItem(key, JSON.stringify({ revision: savedRevision, values: values }));
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }

  function differing(kept) {
    return textFields().filter(function (el) {
      var value = kept.values[el.name];
      return typeof value === "string" && value !== el.value;
    });
  }

  function apply(kept) {
    textFields().forEach(function (el) {
      var value = kept.values[el.name];
      if (typeof value === "string") el.value = value;
    });
  }

  var kept = read();
  var hasServerErrors = form.querySelector(".invalid-feedback, .is-invalid") !== null;
  if (kept && kept.values && !hasServerErrors) {
    if (differing(kept).length === 0) {
      window.localStorage.removeItem(key);
    } else if (kept.revision === savedRevision) {
      // Nobody saved since these words were typed: they are simply the newest.
      apply(kept);
      if (notice) notice.classList.remove("d-none");
    } else {
      // Someone saved in between: offer the local words, never overwrite theirs unasked.
      var offer = document.getElementById("draft-offer");
      if (offer) {
        offer.classList.remove("d-none");
        document.getElementById("draft-apply").addEventListener("click", function () {
          apply(kept);
          offer.classList.add("d-none");
          if (notice) notice.classList.remove("d-none");
        });
      }
    }
  }

  var discard = document.getElementById("draft-discard");
  if (discard) {
    discard.addEventListener("click", function () {
      window.localStorage.removeItem(key);
      window.location.reload();
    });
  }

  var timer = null;
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(store, 400);
  });
  form.addEventListener("change", store);

  // One submission per click: a second click while the first is on its way does nothing.
  var submitting = false;
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
    store();
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
