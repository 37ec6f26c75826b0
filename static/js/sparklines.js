// Audience sparklines on a person's page: one small line per channel, from the snapshots the page passes
// with json_script (#audience-series: {channel id: {labels: [...], values: [...]}}). Drawn again when htmx
// swaps the page's content in.
(function () {
  "use strict";

  function draw(root) {
    var source = document.getElementById("audience-series");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var series = JSON.parse(source.textContent);
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("canvas[data-sparkline]").forEach(function (canvas) {
      var data = series[canvas.dataset.sparkline];
      if (!data || data.values.length < 2 || window.Chart.getChart(canvas)) {
        return;
      }
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [{ data: data.values, borderColor: "#0d6efd", borderWidth: 2, pointRadius: 0, tension: 0.3 }],
        },
        options: {
          responsive: false,
          animation: false,
          events: [],
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales: { x: { display: false }, y: { display: false } },
        },
      });
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      draw(document);
    });
  }
})();
