/* bilan — the year-end report's charts (templates/rapport.html, yearend_pages.py).
 *
 * The page is complete without it: every chart's values are in the table of its figure.
 * With Chart.js loaded, a canvas is added above each table and drawn from the data the
 * server embedded in #charts-data: one horizontal bar per row, its length the row's share
 * of the chart's total (in %), its label wrapped on lines, the French texts of the value
 * and share in the tooltip.
 * Charts are resized to the paper's width before printing and back afterwards.
 */
(function () {
  "use strict";

  // The print button works with JavaScript only: shown by it (no inline handler, see the CSP).
  var print = document.getElementById("print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }

  var embedded = document.getElementById("charts-data");
  if (!embedded || !window.Chart) return; // No Chart.js: the tables say everything.
  var charts = JSON.parse(embedded.textContent);

  // The widest a chart is on A4 paper (yearend.css: .chart-box max-width 160mm; 96 px/in).
  var PRINT_WIDTH_PX = Math.floor((160 / 25.4) * 96);
  var BLUE = "#000091"; // Bleu France, as the dashboard.
  var percent = new Intl.NumberFormat("fr-FR", { style: "percent", maximumFractionDigits: 0 });

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#161616";
  Chart.defaults.locale = "fr-FR";

  // Long labels on two lines or more, so the axis never crops them on paper.
  function wrap(label) {
    var lines = [];
    label.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= 28) lines[last] += " " + word;
      else lines.push(word);
    });
    return lines;
  }

  var drawn = [];
  document.querySelectorAll("figure.chart[data-chart]").forEach(function (figure) {
    var chart = charts[Number(figure.dataset.chart)];
    if (!chart) return;
    var box = document.createElement("div");
    box.className = "chart-box";
    box.style.height = (2.2 * chart.labels.length + 3) + "rem";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Graphique : " + chart.title +
      " ; les valeurs figurent dans le tableau qui suit");
    box.appendChild(canvas);
    figure.insertBefore(box, figure.querySelector("table"));
    var over = chart.percents.some(function (value) { return value > 100; });
    drawn.push(new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels.map(wrap),
        datasets: [{ label: chart.title, data: chart.percents, backgroundColor: BLUE }]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        // Sharp on paper as on screen.
        devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2),
        scales: {
          x: {
            beginAtZero: true,
            max: over ? undefined : 100,
            ticks: { callback: function (value) { return percent.format(value / 100); } }
          },
          y: { ticks: { autoSkip: false } }
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                var text = chart.texts[item.dataIndex];
                var share = chart.shares[item.dataIndex];
                return text === share ? text : text + " (" + share + ")";
              }
            }
          }
        }
      }
    }));
  });

  // Chart.js does not follow the print layout by itself: an explicit size before printing,
  // the automatic one again afterwards.
  window.addEventListener("beforeprint", function () {
    drawn.forEach(function (c) {
      var box = c.canvas.parentNode;
      c.resize(Math.min(box.clientWidth, PRINT_WIDTH_PX), box.clientHeight);
    });
  });
  window.addEventListener("afterprint", function () {
    drawn.forEach(function (c) { c.resize(); });
  });
})();
