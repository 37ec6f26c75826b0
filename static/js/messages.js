// The message dialog (edit or cancel a message that has not gone): a Bootstrap modal filled by htmx.
// - Focus goes to what needs attention (an error), else to the first field, once both the modal is shown and
//   its content has arrived, in whichever order.
// - When it closes it goes back to a spinner, so that the next message never shows the previous one.
// No inline scripts or handlers: a Content Security Policy without 'unsafe-inline' is coming.
(function () {
  "use strict";
  var modal = document.getElementById("message-modal");
  if (!modal) {
    return;
  }
  var content = document.getElementById("message-modal-content");
  var placeholder = content.innerHTML;

  function focusDialog() {
    if (!modal.classList.contains("show")) {
      return;
    }
    var target =
      content.querySelector(".alert-danger, .alert-success") ||
      content.querySelector(".is-invalid") ||
      content.querySelector("input:not([type=hidden]), select, textarea") ||
      content.querySelector(".modal-footer .btn");
    if (target) {
      if (target.classList.contains("alert")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }

  modal.addEventListener("shown.bs.modal", focusDialog);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (content.contains(event.target) || event.target === content) {
      focusDialog();
    }
  });
  modal.addEventListener("hidden.bs.modal", function () {
    content.innerHTML = placeholder;
  });
})();
