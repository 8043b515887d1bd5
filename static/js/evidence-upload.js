// Stores each evidence file in the draft as soon as it is chosen, one request per file with a
// progress bar, so that a failed save or submit (a typing error, an expired session, a dropped
// connection) never asks the officer to pick the files again. "Ganti" replaces one stored file
// in one step. Without this script the files simply travel with the form, as before.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var labels = form.dataset;
  var tokenField = form.querySelector("input[name=csrfmiddlewaretoken]");
  var pending = 0;
  var waitingSubmitter = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function replaceButton(name) {
    var button = el("button", {
      type: "button",
      class: "btn btn-link btn-sm p-0 ms-2 align-baseline",
      "data-replace": "",
      "aria-label": labels.uploadReplaceOf + " " + name,
    }, labels.uploadReplace);
    return button;
  }

  // A stored file, drawn as the page draws the files it was rendered with.
  function fillStored(row, item, file) {
    row.textContent = "";
    row.dataset.evidenceId = String(file.id);
    var link = el("a", { href: file.url, target: "_blank", rel: "noopener" }, file.name);
    row.appendChild(link);
    row.appendChild(document.createTextNode(" "));
    row.appendChild(el("span", { class: "text-secondary" }, "(" + file.size + ", " + file.uploaded_at + ")"));
    var done = el("progress", { max: "100", value: "100", class: "ms-2 align-middle upload-progress" });
    row.appendChild(done);
    row.appendChild(el("span", { class: "ms-1 text-success", "data-upload-state": "stored" }, labels.uploadStored));
    var label = el("label", { class: "ms-2" });
    label.appendChild(el("input", { type: "checkbox", name: item.dataset.fieldPrefix + "-remove", value: String(file.id) }));
    label.appendChild(document.createTextNode(" " + labels.uploadRemove));
    row.appendChild(label);
    row.appendChild(replaceButton(file.name));
  }

  function uploadingRow(name) {
    var row = el("li", { "data-upload-state": "uploading" });
    row.appendChild(el("span", {}, name));
    var bar = el("progress", { max: "100", value: "0", class: "ms-2 align-middle upload-progress" });
    row.appendChild(bar);
    row.appendChild(el("span", { class: "ms-1 text-secondary", role: "status" }, labels.uploadWaiting));
    return row;
  }

  function showEmptyNote(item) {
    var note = item.querySelector("[data-evidence-empty]");
    var list = item.querySelector("[data-evidence-list]");
    if (note) note.classList.toggle("d-none", list.children.length > 0);
  }

  function finished() {
    pending -= 1;
    if (pending === 0 && waitingSubmitter !== null) {
      var submitter = waitingSubmitter;
      waitingSubmitter = null;
      if (form.requestSubmit) form.requestSubmit(submitter.form === form ? submitter : undefined);
      else form.submit();
    }
  }

  // One file at a time, in the order chosen: on a slow connection the first file is stored
  // soonest, and the draft is never written by two uploads at once.
  var queue = [];
  var sending = false;

  function send(item, file, row, replaces, done) {
    pending += 1;
    queue.push(function () {
      transfer(item, file, row, replaces, function (outcome) {
        sending = false;
        done(outcome);
        pump();
      });
    });
    pump();
  }

  function pump() {
    if (sending || !queue.length) return;
    sending = true;
    queue.shift()();
  }

  // Sends one file; calls back with "stored", "refused" or "offline".
  function transfer(item, file, row, replaces, done) {
    var data = new FormData();
    if (tokenField) data.append("csrfmiddlewaretoken", tokenField.value);
    if (replaces) data.append("ganti", replaces);
    data.append(item.dataset.fieldPrefix + "-files", file, file.name);
    var bar = row.querySelector("progress");
    var state = row.querySelector("[role=status]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", item.dataset.uploadUrl);
    xhr.setRequestHeader("Accept", "application/json");
    if (tokenField) xhr.setRequestHeader("X-CSRFToken", tokenField.value);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 99);
    });
    xhr.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      if (xhr.status === 201 && answer && answer.files && answer.files.length) {
        fillStored(row, item, answer.files[0]);
        done("stored");
      } else if (answer && answer.errors) {
        refuse(row, answer.errors.join(" "));
        done("refused");
      } else {
        // A login page instead of an answer: the session ended.
        refuse(row, labels.uploadSession);
        done("refused");
      }
    });
    xhr.addEventListener("error", function () {
      bar.remove();
      row.dataset.uploadState = "offline";
      state.textContent = labels.uploadOffline;
      done("offline");
    });
    state.textContent = labels.uploadUploading;
    xhr.send(data);
  }

  function refuse(row, message) {
    var bar = row.querySelector("progress");
    if (bar) bar.remove();
    row.dataset.uploadState = "refused";
    var state = row.querySelector("[role=status]");
    state.className = "ms-1 text-danger";
    state.textContent = labels.uploadFailed + ": " + message;
  }

  function keepForForm(input, files) {
    // Files the server never received go with the form, as without this script.
    if (!window.DataTransfer) return;
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  form.querySelectorAll("[data-evidence-item]").forEach(function (item) {
    var input = item.querySelector("input[type=file]");
    var list = item.querySelector("[data-evidence-list]");
    if (!input || !list) return;

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) return;
      // Taken out of the form at once, so that a save now does not send them a second time.
      input.value = "";
      var offline = [];
      var left = files.length;
      files.forEach(function (file) {
        var row = uploadingRow(file.name);
        list.appendChild(row);
        showEmptyNote(item);
        send(item, file, row, null, function (outcome) {
          if (outcome === "offline") offline.push(file);
          left -= 1;
          if (left === 0 && offline.length) keepForForm(input, offline);
          finished();
        });
      });
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-replace]");
      if (!button) return;
      var old = button.closest("li");
      var picker = el("input", { type: "file", accept: input.getAttribute("accept") || "", class: "d-none" });
      item.appendChild(picker);
      picker.addEventListener("change", function () {
        var file = picker.files && picker.files[0];
        picker.remove();
        if (!file) return;
        var row = uploadingRow(file.name);
        list.insertBefore(row, old);
        old.classList.add("d-none");
        send(item, file, row, old.dataset.evidenceId, function (outcome) {
          if (outcome === "stored") old.remove();
          else old.classList.remove("d-none");
          finished();
        });
      });
      picker.click();
    });

    list.querySelectorAll("[data-replace]").forEach(function (button) { button.hidden = false; });
  });

  // A save clicked while files are still on their way waits for them, then goes by itself.
  form.addEventListener("submit", function (event) {
    if (pending > 0) {
      event.preventDefault();
      event.stopImmediatePropagation();
      waitingSubmitter = event.submitter || null;
      if (waitingSubmitter === null) waitingSubmitter = form;
    }
  }, true);
})();
