// The reports overview: each card fetches its report's key figures (a small HTML table) and shows them.
// A card whose figures cannot be read keeps its question and its link to the report.
document.addEventListener("DOMContentLoaded", () => {
  for (const card of document.querySelectorAll("[data-report-figures]")) {
    fetch(card.dataset.reportFigures, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        card.innerHTML = html;
      })
      .catch(() => {});
  }
});
