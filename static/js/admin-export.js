"use strict";
// django-import-export's "Select all" box on the export form, bound here rather than by an inline onchange
// attribute (refused by our Content Security Policy). onSelectToggleChange comes from its form media.
document.querySelectorAll("input.select-toggle").forEach((toggle) => {
  toggle.addEventListener("change", onSelectToggleChange);
});
