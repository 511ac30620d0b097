/* bilan — the year-end report's charts (reports/templates/rapport.html, reports/pages.py).
 *
 * The page is complete without it: every chart's values are in the table of its figure.
 * With Chart.js loaded, a canvas is added above each table and drawn from the data the
 * server embedded in #charts-data: one horizontal bar per row, its length the row's share
 * of the chart's total (in %), its label wrapped on lines, the French texts of the value
 * and share in the tooltip.
 * Charts are resized to the paper's column before printing (two charts a row, and their
 * tables left to the screen: yearend.css) and back afterwards.
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

  // The widest a chart is on A4 paper (yearend.css: .chart-box max-width 88mm; 96 px/in).
  var PRINT_WIDTH_PX = Math.floor((88 / 25.4) * 96);
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
      if (last >= 0 && (lines[last] + " " + word).length <= 18) lines[last] += " " + word;
      else lines.push(word);
    });
    return lines;
  }

  var canvases = [];
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
    figure.classList.add("drawn");
    canvases.push([canvas, chart]);
  });

  var drawn = [];
  function draw(canvas, chart) {
    var over = chart.percents.some(function (value) { return value > 100; });
    return new Chart(canvas, {
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
    });
  }
  function drawAll() {
    drawn.forEach(function (c) { c.destroy(); });
    drawn = canvases.map(function (pair) { return draw(pair[0], pair[1]); });
  }
  drawAll();
  // Chart.js measures the axis' labels once and keeps their widths by the font's name: drawn
  // before the page's font (Marianne, wider than its fallback) is loaded, the labels are then
  // cut on the left, on screen and on paper. Once the fonts are in, the charts are drawn anew.
  if (document.fonts && document.fonts.status !== "loaded") document.fonts.ready.then(drawAll);

  // Chart.js does not follow the print layout by itself: an explicit size before printing,
  // the automatic one again afterwards.
  function toPaper() {
    drawn.forEach(function (c) {
      var box = c.canvas.parentNode;
      c.resize(Math.min(box.clientWidth, PRINT_WIDTH_PX), box.clientHeight);
    });
  }
  function toScreen() {
    drawn.forEach(function (c) { c.resize(); });
  }
  window.addEventListener("beforeprint", toPaper);
  window.addEventListener("afterprint", toScreen);
  // Printing without the events (a PDF made by a headless browser) still switches media.
  var printing = window.matchMedia && window.matchMedia("print");
  if (printing && printing.addEventListener) {
    printing.addEventListener("change", function (event) { (event.matches ? toPaper : toScreen)(); });
  }
})();
