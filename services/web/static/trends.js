/* bilan — the dashboard's trend charts (templates/_trends.html, live/trends.py).
 *
 * Two Chart.js line charts from #trends-data: the headline counts year by year, and the
 * access rate on a chart of its own (another unit). A value that is not published
 * (statistical confidentiality) or a year without data is null: a gap in the line, never
 * a zero. The tooltips say the table's texts, formatted by the server. Without Chart.js
 * the charts are hidden and the table says everything.
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

  function integer(value) {
    return new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 }).format(value);
  }

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

  var years = data.years.map(String);
  var common = { responsive: true, maintainAspectRatio: false, animation: false };
  new Chart(canvas, {
    type: "line",
    data: { labels: years, datasets: data.counts.map(dataset) },
    options: Object.assign({}, common, {
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true } }, tooltip: tooltip() },
      scales: { y: { beginAtZero: true, ticks: { callback: integer, precision: 0 } } }
    })
  });
  new Chart(document.getElementById("chart-trends-rate"), {
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
})();
