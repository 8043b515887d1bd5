// A second look before an action that cannot be undone. A submit button with
// data-confirm="<dialog id>" opens that native <dialog> instead of submitting; its
// [data-confirm-accept] button submits the form as that button would have, with confirmed=1.
// Without JavaScript (or <dialog>) the server answers with a confirmation page instead.
(function () {
  "use strict";

  function confirmedInput(form) {
    return form.querySelector('input[type=hidden][name="confirmed"]');
  }

  function submitConfirmed(form, button) {
    if (!confirmedInput(form)) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      input.value = "1";
      form.appendChild(input);
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(button);
      return;
    }
    if (button.name) {
      var named = document.createElement("input");
      named.type = "hidden";
      named.name = button.name;
      named.value = button.value;
      form.appendChild(named);
    }
    form.submit();
  }

  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    var dialog = document.getElementById(button.dataset.confirm);
    var form = button.form;
    if (!dialog || !form || typeof dialog.showModal !== "function") return;
    button.addEventListener("click", function (event) {
      if (confirmedInput(form)) return;
      if (!form.noValidate && !form.checkValidity()) return; // the browser says what is missing
      event.preventDefault();
      dialog.pendingButton = button;
      dialog.pendingForm = form;
      dialog.showModal();
    });
  });

  document.querySelectorAll("dialog").forEach(function (dialog) {
    dialog.querySelectorAll("[data-confirm-cancel]").forEach(function (cancel) {
      cancel.addEventListener("click", function () { dialog.close(); });
    });
    dialog.querySelectorAll("[data-confirm-accept]").forEach(function (accept) {
      accept.addEventListener("click", function () {
        var form = dialog.pendingForm;
        var button = dialog.pendingButton;
        dialog.close();
        if (form && button) submitConfirmed(form, button);
      });
    });
  });
})();
