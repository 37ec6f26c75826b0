// Report charts in the admin: each <canvas data-report-chart="ID"> is drawn from the JSON the page passes with
// json_script (#ID: {type, labels, datasets: [{label, data}], stacked, horizontal, counts}). No inline script: the
// CSP forbids it.
(function () {
  "use strict";

  var COLOURS = ["#417690", "#79aec8", "#f5dd5d", "#e08f4c", "#ba2121", "#6c9a42", "#8a6bb0", "#999999", "#2f4f4f"];
  // More bars than this read better as horizontal bars, one label per line.
  var MANY_BARS = 12;
  var BAR_HEIGHT = 28;
  var LABEL_CHARACTERS = 32;

  function shorten(text) {
    text = String(text);
    return text.length > LABEL_CHARACTERS ? text.slice(0, LABEL_CHARACTERS - 1) + "…" : text;
  }

  function options(spec, horizontal, numbers) {
    var valueAxis = horizontal ? "x" : "y";
    var categoryAxis = horizontal ? "y" : "x";
    var scales = {};
    var valueTicks = {
      callback: function (value) {
        return numbers.format(value);
      },
    };
    if (spec.counts) {
      // A count axis has whole numbers only: no 0.5 relationship.
      valueTicks.precision = 0;
    }
    scales[valueAxis] = { stacked: !!spec.stacked, beginAtZero: true, ticks: valueTicks };
    scales[categoryAxis] = {
      stacked: !!spec.stacked,
      // Every bar keeps its label (Chart.js skips every other one when they crowd); a long one is cut here and
      // read in full in the tooltip.
      ticks: {
        autoSkip: false,
        callback: function (value) {
          return shorten(this.getLabelForValue(value));
        },
      },
    };
    return {
      maintainAspectRatio: false,
      animation: false,
      locale: document.documentElement.lang || undefined,
      indexAxis: horizontal ? "y" : "x",
      scales: scales,
      plugins: {
        tooltip: {
          callbacks: {
            label: function (context) {
              var value = context.parsed[valueAxis];
              return context.dataset.label + ": " + (value === null ? "—" : numbers.format(value));
            },
          },
        },
      },
    };
  }

  function draw() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
    document.querySelectorAll("canvas[data-report-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.reportChart);
      if (!source || window.Chart.getChart(canvas)) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      var horizontal = !!spec.horizontal || spec.labels.length > MANY_BARS;
      if (horizontal) {
        // Room for one readable line per bar.
        var box = canvas.parentNode;
        box.style.height = Math.max(box.clientHeight, spec.labels.length * BAR_HEIGHT + 80) + "px";
      }
      var datasets = spec.datasets.map(function (dataset, index) {
        var colour = COLOURS[index % COLOURS.length];
        return { label: dataset.label, data: dataset.data, backgroundColor: colour, borderColor: colour };
      });
      new window.Chart(canvas, {
        type: spec.type || "bar",
        data: { labels: spec.labels, datasets: datasets },
        options: options(spec, horizontal, numbers),
      });
    });
  }

  // A printed page is narrower than the screen: each chart is drawn again at the printed size.
  window.addEventListener("beforeprint", function () {
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("canvas[data-report-chart]").forEach(function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) {
        chart.resize();
      }
    });
  });

  document.addEventListener("DOMContentLoaded", draw);
})();
