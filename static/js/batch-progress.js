// A batch of piagam renders in the workers: poll its status and update the page in place
// until nothing is waiting any more. The labels come from the server (already translated).
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || !window.fetch) return;

  var url = box.dataset.statusUrl;
  var interval = parseInt(box.dataset.interval, 10) || 2000;
  var delay = interval;
  var timer = null;
  var badgesScript = document.getElementById("status-badges");
  var badges = badgesScript ? JSON.parse(badgesScript.textContent) : {};
  var allBadges = Object.keys(badges).map(function (key) { return badges[key]; });

  function setHidden(element, hidden) {
    if (element) element.hidden = hidden;
  }

  function updateCounts(counts) {
    Object.keys(counts).forEach(function (name) {
      var element = box.querySelector('[data-count="' + name + '"]');
      if (element) element.textContent = counts[name];
    });
    var progress = box.querySelector("[data-progress]");
    if (progress) {
      progress.setAttribute("aria-valuenow", counts.percent_done);
      var bar = progress.querySelector(".progress-bar");
      bar.style.width = counts.percent_done + "%";
      var busy = counts.waiting > 0;
      bar.classList.toggle("progress-bar-striped", busy);
      bar.classList.toggle("progress-bar-animated", busy);
    }
    setHidden(box.querySelector("[data-show-when-failed]"), counts.failed === 0);
    setHidden(box.querySelector("[data-polling-note]"), counts.waiting === 0);
  }

  function updateRow(item) {
    var row = document.querySelector('tr[data-certificate="' + item.id + '"]');
    if (!row) return;
    row.dataset.status = item.status;
    var badge = row.querySelector('[data-field="status"]');
    if (badge) {
      badge.textContent = item.status_label;
      allBadges.forEach(function (name) { badge.classList.remove(name); });
      if (badges[item.status]) badge.classList.add(badges[item.status]);
    }
    row.querySelectorAll("[data-show-for]").forEach(function (element) {
      element.hidden = element.dataset.showFor.split(" ").indexOf(item.status) === -1;
    });
    var review = row.querySelector('[data-field="review"]');
    if (review) {
      review.hidden = !item.needs_review;
      var reason = review.querySelector('[data-field="review-reason"]');
      if (reason) reason.textContent = item.review_reason || "";
    }
  }

  function schedule() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  function poll() {
    timer = null;
    if (document.hidden) return; // resumed by visibilitychange
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403 || response.status === 404) {
          throw new Error("stop"); // logged out or no longer allowed: stop quietly
        }
        if (!response.ok) throw new Error("retry");
        return response.json();
      })
      .then(function (data) {
        delay = interval;
        updateCounts(data.counts);
        data.certificates.forEach(updateRow);
        box.dataset.finished = data.finished ? "true" : "false";
        if (!data.finished) schedule();
      })
      .catch(function (error) {
        if (error && error.message === "stop") return;
        delay = Math.min(delay * 2, 30000); // the server or the network hiccupped: back off
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && box.dataset.finished !== "true" && !timer) poll();
  });

  if (box.dataset.finished !== "true") schedule();
})();
