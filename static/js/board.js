// The pipeline board: the move dialog and the "Log a contact" dialog are Bootstrap modals filled by htmx.
// No inline scripts (a Content Security Policy without 'unsafe-inline' is coming): everything is delegated
// from the document, so it keeps working on the parts htmx swaps in.
(function () {
  "use strict";

  // Bootstrap ignores hide() while the modal is still fading in; a quick answer (or a quick hand) can come
  // back before that, so such a hide waits for the end of the fade.
  var opening = {};
  document.addEventListener("show.bs.modal", function (event) { opening[event.target.id] = true; });
  document.addEventListener("shown.bs.modal", function (event) { opening[event.target.id] = false; });

  function hideModal(id) {
    var element = document.getElementById(id);
    if (!element || !window.bootstrap) return;
    var modal = window.bootstrap.Modal.getOrCreateInstance(element);
    if (opening[id]) {
      element.addEventListener("shown.bs.modal", function () { modal.hide(); }, { once: true });
    } else {
      modal.hide();
    }
  }

  // A move went through: close the dialog. The board reloads its columns by itself (hx-trigger on #board),
  // on this event and on the people side's "contactLogged" (whose dialog stays open to say it is done).
  document.body.addEventListener("relationshipMoved", function () { hideModal("move-modal"); });

  // A closed dialog goes back to "Loading…", so the next card never shows the previous card's content.
  var placeholders = {};
  ["move-modal-content", "contact-modal-content"].forEach(function (id) {
    var element = document.getElementById(id);
    if (element) placeholders[id] = element.innerHTML;
  });
  document.addEventListener("hidden.bs.modal", function (event) {
    var content = event.target.querySelector(".modal-content");
    if (content && placeholders[content.id]) content.innerHTML = placeholders[content.id];
  });

  // Keyboard: once a dialog is filled, put the focus on what needs attention, else on its first field.
  function focusFirst(root) {
    var selectors = [
      ".is-invalid",
      ".alert-danger",
      "input:not([type=hidden]):not([disabled]), select, textarea",
      ".modal-footer .btn-primary",
    ];
    for (var i = 0; i < selectors.length; i++) {
      var element = root.querySelector(selectors[i]);
      if (element) {
        if (element.classList.contains("alert-danger")) element.setAttribute("tabindex", "-1");
        element.focus();
        return;
      }
    }
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.closest(".modal")) {
      syncSkipReason(target);
      focusFirst(target);
    } else if (target.id === "shortlist") {
      var search = target.querySelector("input[type=search]");
      if (search) search.focus();
    }
  });
  // Bootstrap focuses the modal itself once it is shown, which may be after htmx has filled it.
  document.addEventListener("shown.bs.modal", function (event) {
    if (!event.target.querySelector("[data-loading]")) focusFirst(event.target);
  });

  // Close dialog: the skip reason matters only when the thank-you is skipped.
  function syncSkipReason(root) {
    var reason = root.querySelector("[name=skip_reason]");
    if (!reason) return;
    var skip = root.querySelector("[name=thank_you][value=skip]");
    var wrapper = reason.closest(".mb-3") || reason.parentElement;
    var skipping = !skip || skip.checked;
    wrapper.hidden = !skipping;
    var preview = root.querySelector("#thank-you-preview");
    if (preview) preview.hidden = skipping;
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "thank_you") syncSkipReason(event.target.form || document);
  });
  syncSkipReason(document);
})();

// "Show more" at the bottom of a long column: the button is replaced by the next cards, so the focus would be
// lost; it goes to the first of the new cards' links instead, where reading goes on.
(function () {
  "use strict";
  var before = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var more = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".board-more");
    if (more) before = more.previousElementSibling;
  });
  document.body.addEventListener("htmx:responseError", function () { before = null; });
  // An outerHTML swap settles on the new elements (the button is gone): the card kept before it says where.
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!before || !before.isConnected) return;
    var first = before.nextElementSibling;
    before = null;
    var link = first && first.querySelector("a, button");
    if (link) link.focus();
  });
})();

// On a phone the board shows one column at a time; its stage tabs switch columns here without reloading the page
// (without JavaScript they are links to ?stage=). The board's own reloads ask for the column being shown.
(function () {
  "use strict";
  function show(board, stage) {
    var columns = board.querySelector(".board-columns");
    if (!columns) return;
    columns.setAttribute("data-shown-stage", stage);
    board.querySelectorAll(".stage-column").forEach(function (column) {
      column.classList.toggle("is-shown", column.getAttribute("data-stage") === stage);
    });
    board.querySelectorAll(".board-tabs [data-stage]").forEach(function (tab) {
      var active = tab.getAttribute("data-stage") === stage;
      tab.classList.toggle("active", active);
      if (active) tab.setAttribute("aria-current", "true"); else tab.removeAttribute("aria-current");
    });
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest(".board-tabs [data-stage]");
    if (!tab) return;
    event.preventDefault();
    show(tab.closest("#board"), tab.getAttribute("data-stage"));
  });
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "board") return;
    var columns = event.detail.elt.querySelector(".board-columns");
    if (columns) event.detail.parameters.stage = columns.getAttribute("data-shown-stage");
  });
})();

// Dragging a card (SortableJS, static/vendor): an addition to the move links, which stay the way in. A card dropped
// on its next move's column opens that move's dialog by clicking the card's own link (htmx and Bootstrap do the
// rest, as for a click); on "Closed", the close dialog. Nothing moves until the dialog's form is sent, so the card
// always goes back where it was; dropped anywhere else, the live region says which moves it can make.
(function () {
  "use strict";
  if (!window.Sortable) return;

  function dropped(event) {
    var card = event.item;
    var from = event.from.closest(".stage-column");
    var to = event.to.closest(".stage-column");
    event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
    if (!from || !to || from === to) return;
    var target = to.getAttribute("data-stage");
    var link = null;
    if (target && target === from.getAttribute("data-next-stage")) link = card.querySelector("[data-move-link]");
    else if (target === "closed") link = card.querySelector("[data-close-link]");
    var status = document.getElementById("board-status");
    if (link) {
      if (status) status.textContent = "";
      link.click();
    } else if (status) {
      status.textContent = from.getAttribute("data-drop-hint") || "";
    }
  }

  function enable(root) {
    var board = root.id === "board" ? root : root.querySelector && root.querySelector("#board");
    if (!board || !board.querySelector(".board-columns[data-can-move]")) return;
    board.querySelectorAll(".stage-column > ol").forEach(function (list) {
      if (window.Sortable.get(list)) return;
      var open = list.parentElement.getAttribute("data-stage") !== "closed";
      window.Sortable.create(list, {
        group: { name: "board", pull: open, put: true },
        sort: false,
        draggable: "li.card",
        // Links and buttons stay links and buttons: a drag starts from the rest of the card.
        filter: "a, button",
        preventOnFilter: false,
        // A finger scrolls the page; a drag on a touch screen needs a press first.
        delay: 200,
        delayOnTouchOnly: true,
        ghostClass: "card-drag-ghost",
        onEnd: dropped,
      });
    });
  }

  enable(document);
  // The columns are swapped whole after a move, a filter or a logged contact.
  document.body.addEventListener("htmx:load", function (event) { enable(event.target); });
})();
