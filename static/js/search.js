// The navigation bar's search. htmx fills #nav-search-results as one types (hx-get on the box); this opens and
// closes that dropdown and lets the keyboard move through its links. Without JavaScript the form goes to /search/.
(function () {
  "use strict";

  var SHORTEST = 2; // desk.search.SHORTEST: one letter would list most of the directory
  var input = document.getElementById("nav-search");
  var box = document.getElementById("nav-search-results");
  if (!input || !box) return;
  var form = input.form;

  function isOpen() { return box.classList.contains("show"); }
  function open() { box.classList.add("show"); }
  function close() { box.classList.remove("show"); }
  function tooShort() { return input.value.trim().length < SHORTEST; }
  function links() { return Array.prototype.slice.call(box.querySelectorAll("a[href]")); }

  // Too short to search: no request, and no dropdown left from longer text.
  input.addEventListener("htmx:beforeRequest", function (event) {
    if (tooShort()) {
      event.preventDefault();
      close();
      box.replaceChildren();
    }
  });
  // An answer to longer text that was since deleted down to one letter is not shown.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target === box && tooShort()) event.detail.shouldSwap = false;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== box) return;
    if (box.children.length) open(); else close();
  });

  input.addEventListener("focus", function () {
    if (box.children.length && !tooShort()) open();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && isOpen() && links().length) {
      event.preventDefault();
      links()[0].focus();
    } else if (event.key === "Escape" && isOpen()) {
      event.preventDefault(); // the search field would also clear its text
      close();
    }
  });
  box.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) input.focus();
      else if (next < all.length) all[next].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
      input.focus();
    }
  });

  // Closed when the focus leaves the search (Tab past the last link) or a click lands elsewhere. Not on every
  // focusout: a browser that does not focus a clicked link would close the dropdown under the click.
  form.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !form.contains(event.relatedTarget)) close();
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });
})();
