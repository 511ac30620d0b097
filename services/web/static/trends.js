/* bilan — the dashboard's trend charts (templates/_trends.html, live/trends.py).
 *
 * Two Chart.js line charts from #trends-data: the headline counts year by year, and the
 * access rate on a chart of its own (another unit). A value that is not published
 * (statistical confidentiality), a year without data or an undefined rate is null: a gap in
 * the line, never a zero. The year in progress is "à date" (its label says so): the segment
 * that reaches it is dotted and its point hollow, so that it never reads as a drop against
 * whole years. The tooltips say the table's texts, formatted by the server. At each refresh
 * static/dashboard.js sends the fresh dashboard ("bilan:dashboard") and the charts are redrawn
 * from its trends (the table is refilled by dashboard.js). Without Chart.js the charts are hidden and
 * the table says everything.
 */
(function () {
  "use strict";

  var embedded = document.getElementById("trends-data");
  var canvas = document.getElementById("chart-trends");
  if (!embedded || !canvas) return;
  var figures = document.querySelector("#evolution .trend-charts");
  if (!window.Chart) { if (figures) figures.hidden = true; return; }
  var data = JSON.parse(embedded.textContent);
  // DSFR colours with enough contrast on white, and a dash each: told apart in grayscale.
  var COLORS = ["#000091", "#18753c", "#b34000", "#a558a0"];
  var DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
  var POINTS = ["circle", "rect", "triangle", "rectRot"];
  var IN_PROGRESS_DASH = [2, 5];

  function integer(value) {
    return new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 }).format(value);
  }

  // Whether point i is the year in progress, for the chart's current data.
  function inProgress(i) { return Boolean(data.in_progress[i]); }

  function dataset(line, i) {
    return {
      label: line.label,
      data: line.values,
      texts: line.texts,
      borderColor: COLORS[i],
      backgroundColor: COLORS[i],
      borderDash: DASHES[i],
      pointStyle: POINTS[i],
      pointRadius: 4,
      // The year in progress: a hollow point, reached by a dotted segment.
      pointBackgroundColor: function (ctx) { return inProgress(ctx.dataIndex) ? "#fff" : COLORS[i]; },
      segment: {
        borderDash: function (ctx) { return inProgress(ctx.p1DataIndex) ? IN_PROGRESS_DASH : undefined; }
      },
      spanGaps: false
    };
  }

  function tooltip() {
    return {
      callbacks: {
        label: function (item) {
          return item.dataset.label + " : " + item.dataset.texts[item.dataIndex];
        }
      }
    };
  }

  var years = data.labels;
  var common = { responsive: true, maintainAspectRatio: false, animation: false };
  var counts = new Chart(canvas, {
    type: "line",
    data: { labels: years, datasets: data.counts.map(dataset) },
    options: Object.assign({}, common, {
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true } }, tooltip: tooltip() },
      scales: { y: { beginAtZero: true, ticks: { callback: integer, precision: 0 } } }
    })
  });
  var rate = new Chart(document.getElementById("chart-trends-rate"), {
    type: "line",
    data: { labels: years, datasets: [dataset(data.rate, 0)] },
    options: Object.assign({}, common, {
      plugins: { legend: { display: false }, tooltip: tooltip() },
      scales: {
        y: {
          beginAtZero: true,
          suggestedMax: 100,
          ticks: { callback: function (value) { return integer(value) + "\u202f%"; } }
        }
      }
    })
  });

  // A fresh dashboard: the same lines, with the values and texts of now.
  document.addEventListener("bilan:dashboard", function (event) {
    var fresh = event.detail.trends && event.detail.trends.chart;
    if (!fresh) return;
    data = fresh;
    var labels = fresh.labels;
    counts.data.labels = labels;
    fresh.counts.forEach(function (line, i) {
      counts.data.datasets[i].data = line.values;
      counts.data.datasets[i].texts = line.texts;
    });
    rate.data.labels = labels;
    rate.data.datasets[0].data = fresh.rate.values;
    rate.data.datasets[0].texts = fresh.rate.texts;
    counts.update("none");
    rate.update("none");
  });
})();
