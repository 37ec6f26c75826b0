// The log-contact modal. Its content comes from htmx (the buttons carry hx-get and data-bs-toggle="modal").
// - Focus goes to the form's first field once both the modal is shown and the form has arrived, in whichever
//   order they happen (Bootstrap focuses the dialog itself on "shown", which would steal it otherwise);
//   after a save, to the button marked data-autofocus.
// - When it closes it goes back to a spinner, so that opening it for the next person never shows the
//   previous person's form, even for a moment.
(function () {
  "use strict";
  var modal = document.getElementById("contact-modal");
  if (!modal) {
    return;
  }
  var content = document.getElementById("contact-modal-content");
  var placeholder = content.innerHTML;

  function focusForm() {
    if (!modal.classList.contains("show")) {
      return;
    }
    var target =
      content.querySelector("[data-autofocus]") ||
      content.querySelector("[autofocus]") ||
      content.querySelector("input:not([type=hidden]), select, textarea");
    if (target) {
      target.focus();
    }
  }

  modal.addEventListener("shown.bs.modal", focusForm);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (content.contains(event.target) || event.target === content) {
      focusForm();
    }
  });
  modal.addEventListener("hidden.bs.modal", function () {
    content.innerHTML = placeholder;
  });
})();
