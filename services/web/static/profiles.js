/* bilan — the dashboard's "Profil des jeunes" (templates/_profiles.html, live/profiles.py).
 *
 * One Chart.js bar chart per dimension (sex, age band, education level) from the dashboard
 * embedded in the page (#dashboard-data): each category's share of the accompanied youths
 * and of the first receptions, in percent, with the table's texts in the tooltips. At each
 * refresh static/dashboard.js sends the fresh dashboard ("bilan:dashboard"): the charts are
 * redrawn and the tables' bodies, totals and legend refilled from its profiles. Values arrive
 * formatted by the server; a withheld one ("s", secret statistique) is shown as the page
 * shows it, in an <abbr>, and is never charted: a share of a zero total is null ("n.d."), a
 * gap. When the profiles are withheld whole, the page has no canvas: nothing is drawn.
 */
(function () {
  "use strict";

  var embedded = document.getElementById("dashboard-data");
  var section = document.getElementById("profil");
  if (!embedded || !section) return;
  var dashboard = JSON.parse(embedded.textContent);
  var charts = {};
  // The dashboard's first two colours: bleu France and its lighter tone.
  var COLORS = ["#000091", "#6a6af4"];

  function integer(value) {
    return new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 }).format(value);
  }

  function figureKeys(profiles) { return Object.keys(profiles.headers); }

  function datasets(profiles, table) {
    return figureKeys(profiles).map(function (key, i) {
      return {
        label: profiles.headers[key],
        data: table.rows.map(function (row) { return row.percents[key]; }),
        texts: table.rows.map(function (row) {
          return row.display[key + ".share"] + " (" + row.display[key] + ")";
        }),
        backgroundColor: COLORS[i]
      };
    });
  }

  function draw(profiles) {
    if (!window.Chart) {
      section.querySelectorAll(".profile-chart").forEach(function (box) { box.hidden = true; });
      return;
    }
    profiles.tables.forEach(function (table) {
      var canvas = document.getElementById("chart-profile-" + table.dimension);
      if (!canvas) return;
      charts[table.dimension] = new Chart(canvas, {
        type: "bar",
        data: {
          labels: table.rows.map(function (row) { return row.label; }),
          datasets: datasets(profiles, table)
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          indexAxis: "y",
          plugins: {
            legend: { position: "bottom" },
            tooltip: {
              callbacks: {
                label: function (item) {
                  return item.dataset.label + " : " + item.dataset.texts[item.dataIndex];
                }
              }
            }
          },
          scales: {
            x: {
              beginAtZero: true,
              ticks: { callback: function (value) { return integer(value) + "\u202f%"; } }
            },
            y: { ticks: { autoSkip: false } }
          }
        }
      });
    });
  }

  // A value as the server rendered it: its text, or the withheld mark in its <abbr>.
  function value(text, hidden) {
    var node = document.createElement("td");
    node.className = "num";
    if (hidden) {
      var abbr = document.createElement("abbr");
      abbr.className = "withheld";
      abbr.title = dashboard.confidentiality ? dashboard.confidentiality.title : "";
      abbr.textContent = text;
      node.appendChild(abbr);
    } else {
      node.textContent = text;
    }
    return node;
  }

  function fill(body, rows, total) {
    var columns = body.dataset.columns.split(" ");
    var fresh = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      if (total) tr.className = "total";
      if (row.key) tr.dataset.key = row.key;
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = row.label;
      tr.appendChild(th);
      columns.forEach(function (column) {
        var hidden = Boolean(row.suppressed) && row.suppressed.indexOf(column) !== -1;
        tr.appendChild(value(row.display[column], hidden));
      });
      fresh.appendChild(tr);
    });
    body.replaceChildren(fresh);
  }

  function show(profiles) {
    profiles.tables.forEach(function (table) {
      var body = section.querySelector('[data-profile-rows="' + table.dimension + '"]');
      var foot = section.querySelector('[data-profile-total="' + table.dimension + '"]');
      if (body) fill(body, table.rows, false);
      if (foot) fill(foot, [table.total], true);
      var chart = charts[table.dimension];
      if (chart) {
        chart.data.labels = table.rows.map(function (row) { return row.label; });
        datasets(profiles, table).forEach(function (set, i) {
          chart.data.datasets[i].data = set.data;
          chart.data.datasets[i].texts = set.texts;
        });
        chart.update("none");
      }
    });
    var legend = section.querySelector('[data-marks="profiles"]');
    if (legend) {
      legend.hidden = profiles.marks.length === 0;
      legend.querySelectorAll("[data-mark]").forEach(function (item) {
        item.hidden = profiles.marks.indexOf(item.dataset.mark) === -1;
      });
    }
  }

  draw(dashboard.profiles);
  // Drawn before Marianne is loaded, the categories' names would be measured in the fallback
  // font and cut: drawn anew once the fonts are in (as static/dashboard.js does).
  if (window.Chart && document.fonts && document.fonts.status !== "loaded") {
    document.fonts.ready.then(function () {
      Object.keys(charts).forEach(function (name) { charts[name].destroy(); });
      charts = {};
      draw(dashboard.profiles);
    });
  }
  window.addEventListener("beforeprint", function () {
    Object.keys(charts).forEach(function (name) { charts[name].resize(); });
  });
  document.addEventListener("bilan:dashboard", function (event) {
    if (!event.detail.profiles) return;
    dashboard = event.detail;
    show(dashboard.profiles);
  });
})();
