// Report charts in the admin: each <canvas data-report-chart="ID"> is drawn from the JSON the page passes with
// json_script (#ID: {type, labels, datasets: [{label, data}], stacked}). No inline script: the CSP forbids it.
(function () {
  "use strict";

  var COLOURS = ["#417690", "#79aec8", "#f5dd5d", "#e08f4c", "#ba2121", "#6c9a42", "#8a6bb0", "#999999", "#2f4f4f"];

  function draw() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("canvas[data-report-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.reportChart);
      if (!source || window.Chart.getChart(canvas)) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      var datasets = spec.datasets.map(function (dataset, index) {
        var colour = COLOURS[index % COLOURS.length];
        return { label: dataset.label, data: dataset.data, backgroundColor: colour, borderColor: colour };
      });
      new window.Chart(canvas, {
        type: spec.type || "bar",
        data: { labels: spec.labels, datasets: datasets },
        options: {
          maintainAspectRatio: false,
          animation: false,
          indexAxis: spec.horizontal ? "y" : "x",
          scales: { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true } },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
