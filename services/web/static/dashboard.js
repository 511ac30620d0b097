/* bilan — the live dashboard's script (templates/index.html, services/web/live/page.py).
 *
 * The page is complete without it. With it:
 * - the structure select gets a search box that filters its options by name;
 * - picking a region clears the structure and vice versa (the figures have one scope);
 * - the charts are drawn with Chart.js from the dashboard embedded in the page (#dashboard-data);
 * - every few seconds the same dashboard is fetched again from /donnees.json (the URL keeps the
 *   filters) and the figures, their labels (which agree with them: "1 jeune"), the year's
 *   comparison sentence, the tables — the trends' too — the charts and the freshness line are
 *   updated in place; the "bilan:dashboard" event hands the fresh dashboard to
 *   static/trends.js, which redraws the trend charts.
 * Values arrive already formatted the French way by the server, so nothing is reformatted here:
 * a value withheld from the public (statistical confidentiality) arrives as null with its mark
 * ("s", secret statistique) in display and its key in the row's "suppressed": shown as the page
 * shows it, in an <abbr> saying what it means, and left out of the charts (a gap, never a zero,
 * and no number in a legend). The legend under each table lists the marks it uses.
 */
(function () {
  "use strict";

  // --- Filters -------------------------------------------------------------------------
  var region = document.getElementById("filter-region");
  var structure = document.getElementById("filter-structure");
  var search = document.getElementById("structure-search");
  if (region && structure) {
    region.addEventListener("change", function () { if (region.value) structure.value = ""; });
    structure.addEventListener("change", function () { if (structure.value) region.value = ""; });
  }
  // Empty filters are left out of the URL, so a shared link reads "?year=2007&region=11".
  var form = document.querySelector("form.filters");
  if (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && !field.value) field.disabled = true;
      });
    });
    // Coming back (browser cache), the fields must be usable again.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
    });
  }
  if (search && structure) {
    search.hidden = false;
    var normalize = function (text) {
      // Accents and case ignored: "creteil" finds "Créteil".
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    };
    search.addEventListener("input", function () {
      var wanted = normalize(search.value.trim());
      var firstMatch = null;
      structure.querySelectorAll("optgroup").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var match = !wanted || normalize(option.textContent).indexOf(wanted) !== -1;
          option.hidden = !match;
          option.disabled = !match;
          if (match) { shown += 1; if (!firstMatch) firstMatch = option; }
        });
        group.hidden = shown === 0;
      });
      // One obvious answer: select it, so "Afficher" shows it.
      if (wanted && firstMatch) { structure.value = firstMatch.value; region.value = ""; }
    });
  }

  // --- Live figures --------------------------------------------------------------------
  var root = document.getElementById("figures");
  var embedded = document.getElementById("dashboard-data");
  if (!root || !embedded) return;
  var dashboard = JSON.parse(embedded.textContent);
  // The wording of every figure key, from shared/publication/labels.py.
  var labels = JSON.parse(document.getElementById("chart-labels").textContent);

  function shortNames(keys) {
    return keys.map(function (key) { return labels[key].short; });
  }

  // DSFR colours with enough contrast on white (bleu France, its lighter tone, then
  // the "illustrative" greens, oranges and purples).
  var COLORS = ["#000091", "#6a6af4", "#18753c", "#b34000", "#a558a0", "#0063cb"];
  var charts = {};

  function numberTicks(value) {
    return new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 }).format(value);
  }

  var CIVIS_REASONS = ["civis_exits_durable_employment", "civis_exits_non_durable_employment",
                       "civis_exits_training", "civis_exits_other"];

  function chartData(v) {
    var f = v.figures;
    var months = v.months.rows;
    var rows = v.breakdown.rows;
    return {
      access: {
        labels: shortNames(["youths_employment", "youths_subsidized_or_work_study",
                            "youths_training"]),
        datasets: [{
          label: "Jeunes",
          data: [f.youths_employment, f.youths_subsidized_or_work_study, f.youths_training],
          backgroundColor: COLORS.slice(0, 3)
        }]
      },
      civis: {
        // The legend says each slice's value and share, as the CIVIS block does.
        labels: CIVIS_REASONS.map(function (key) {
          return labels[key].short + " : " + v.display[key] + " (" + v.civis_shares[key] + ")";
        }),
        datasets: [{
          label: "Sorties",
          data: [f.civis_exits_durable_employment, f.civis_exits_non_durable_employment,
                 f.civis_exits_training, f.civis_exits_other],
          backgroundColor: COLORS.slice(0, 4)
        }]
      },
      months: {
        labels: months.map(function (m) { return m.label.split(" ")[0]; }),
        datasets: [{
          label: labels.interviews.header,
          data: months.map(function (m) { return m.figures.interviews; }),
          backgroundColor: COLORS[0]
        }]
      },
      breakdown: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [
          { label: labels.youths_interviewed.header,
            data: rows.map(function (r) { return r.figures.youths_interviewed; }),
            backgroundColor: COLORS[0] },
          { label: labels.youths_with_access.header,
            data: rows.map(function (r) { return r.figures.youths_with_access; }),
            backgroundColor: COLORS[3] }
        ]
      }
    };
  }

  function makeCharts(v) {
    if (!window.Chart) {
      // No Chart.js installed: the figures and tables still say everything.
      var section = document.querySelector(".charts");
      if (section) section.hidden = true;
      return;
    }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#3a3a3a";
    Chart.defaults.locale = "fr-FR";
    var data = chartData(v);
    var common = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } }
    };
    var linear = { beginAtZero: true, ticks: { callback: numberTicks, precision: 0 } };
    charts.access = new Chart(document.getElementById("chart-access"), {
      type: "bar", data: data.access,
      options: Object.assign({}, common, { indexAxis: "y", scales: { x: linear } })
    });
    // The legend under the donut, whatever the width: on a phone, beside it, it was cut.
    charts.civis = new Chart(document.getElementById("chart-civis"), {
      type: "doughnut", data: data.civis,
      options: Object.assign({}, common, {
        plugins: { legend: { display: true, position: "bottom", align: "start" } }
      })
    });
    charts.months = new Chart(document.getElementById("chart-months"), {
      type: "bar", data: data.months,
      options: Object.assign({}, common, { scales: { y: linear } })
    });
    var box = document.getElementById("chart-breakdown").parentNode;
    box.style.height = Math.max(18, 1.6 * v.breakdown.rows.length + 4) + "rem";
    charts.breakdown = new Chart(document.getElementById("chart-breakdown"), {
      type: "bar", data: data.breakdown,
      options: Object.assign({}, common, {
        indexAxis: "y",
        scales: { x: linear, y: { ticks: { autoSkip: false } } },
        plugins: { legend: { display: true, position: "top" } }
      })
    });
  }

  function updateCharts(v) {
    var data = chartData(v);
    Object.keys(charts).forEach(function (name) {
      var chart = charts[name];
      chart.data.labels = data[name].labels;
      data[name].datasets.forEach(function (set, i) { chart.data.datasets[i].data = set.data; });
      chart.update("none");
    });
  }

  function cell(tag, text) {
    var node = document.createElement(tag);
    node.textContent = text;
    return node;
  }

  function withheld(suppressed, key) {
    return Boolean(suppressed) && suppressed.indexOf(key) !== -1;
  }

  // A value as the server rendered it: its text, or the withheld mark in its <abbr>.
  function setValue(node, text, hidden) {
    var mark = node.firstElementChild;
    if (hidden) {
      if (mark && mark.tagName === "ABBR" && mark.textContent === text) return;
      var abbr = cell("abbr", text);
      abbr.className = "withheld";
      abbr.title = dashboard.confidentiality.title;
      node.replaceChildren(abbr);
    } else if (mark || node.textContent !== text) {
      node.textContent = text;
    }
  }

  // Rebuilds a table's body; its data-columns attribute lists the figure of each column.
  function fillRows(body, rows) {
    var keys = body.dataset.columns.split(" ");
    var fresh = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      if (row.href) {
        var link = cell("a", row.label);
        link.href = row.href;
        th.appendChild(link);
      } else {
        th.textContent = row.label;
      }
      tr.appendChild(th);
      if (row.year) tr.dataset.year = row.year;
      if (row.current) { tr.className = "current"; tr.setAttribute("aria-current", "true"); }
      keys.forEach(function (key) {
        var td = document.createElement("td");
        td.className = "num";
        setValue(td, row.display[key], withheld(row.suppressed, key));
        tr.appendChild(td);
      });
      fresh.appendChild(tr);
    });
    body.replaceChildren(fresh);
  }

  var freshness = document.getElementById("freshness");
  var state = document.getElementById("freshness-state");
  var stamp = document.getElementById("freshness-time");
  var failure = document.getElementById("freshness-error");
  var auto = document.getElementById("freshness-auto");

  function show(v) {
    root.querySelectorAll("[data-figure]").forEach(function (node) {
      var key = node.dataset.figure;
      setValue(node, v.display[key], withheld(v.suppressed, key));
    });
    // A label agrees with its value: "1 jeune en contact", "2 jeunes en contact".
    root.querySelectorAll("[data-label]").forEach(function (node) {
      var text = v.labels[node.dataset.label];
      if (node.textContent !== text) node.textContent = text;
    });
    var sentence = document.getElementById("comparison-sentence");
    if (sentence && v.comparison.sentence && sentence.textContent !== v.comparison.sentence) {
      sentence.textContent = v.comparison.sentence;
    }
    root.querySelectorAll("[data-share]").forEach(function (node) {
      var key = node.dataset.share;
      // A share of the exits is withheld with its reason or with the exits.
      var hidden = withheld(v.suppressed, key) || withheld(v.suppressed, "civis_exits");
      setValue(node, v.civis_shares[key], hidden);
    });
    // The change from the previous year: its text (a withheld one's mark in its <abbr>), and
    // the trend its arrow shows.
    root.querySelectorAll("[data-change]").forEach(function (node) {
      var change = v.changes[node.dataset.change];
      node.dataset.trend = change.trend || "none";
      var text = node.querySelector(".change-text");
      if (text.textContent === change.display) return;
      var value = cell("span", "");
      value.className = "change-value";
      setValue(value, change.value, change.state === "withheld");
      text.replaceChildren(value, change.display.slice(change.value.length));
    });
    // Each legend shows the marks its table now uses.
    var marks = {
      figures: v.marks, breakdown: v.breakdown.marks, months: v.months.marks,
      trends: v.trends.marks
    };
    root.querySelectorAll("[data-marks]").forEach(function (legend) {
      var used = marks[legend.dataset.marks];
      if (!used) return;
      legend.hidden = used.length === 0;
      legend.querySelectorAll("[data-mark]").forEach(function (item) {
        item.hidden = used.indexOf(item.dataset.mark) === -1;
      });
    });
    var breakdown = root.querySelector('[data-rows="breakdown"]');
    var total = root.querySelector('[data-rows="breakdown-total"]');
    var months = root.querySelector('[data-rows="months"]');
    if (breakdown) fillRows(breakdown, v.breakdown.rows);
    if (total) {
      fillRows(total, [v.breakdown.total]);
      total.firstChild.className = "total";
    }
    if (months) fillRows(months, v.months.rows);
    // The trends' table: each year's texts, a withheld one as the other tables show it.
    var trends = root.querySelector("[data-trends-rows]");
    if (trends) {
      fillRows(trends, v.trends.rows.map(function (row) {
        return { label: row.label, year: row.year, current: row.current,
                 display: row.display, suppressed: row.withheld };
      }));
    }
    var note = document.getElementById("trends-in-progress");
    if (note && v.trends.in_progress_note && note.textContent !== v.trends.in_progress_note) {
      note.textContent = v.trends.in_progress_note;
    }
    state.textContent = v.freshness;
    freshness.classList.toggle("pending", v.pending_events > 0);
    updateCharts(v);
    document.dispatchEvent(new CustomEvent("bilan:dashboard", { detail: v }));
  }

  // The freshness line says when the live figures were last checked (a 304 confirms them
  // too), or the time of the published edition they are (dashboard.edition: the public page with
  // statistical confidentiality on), which a 304 leaves as it is.
  var clock = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit", second: "2-digit"
  });
  function checked() {
    if (dashboard.edition !== null && dashboard.edition !== undefined) {
      stamp.textContent = dashboard.clock;
      stamp.setAttribute("datetime", dashboard.as_of);
      return;
    }
    var now = new Date();
    stamp.textContent = clock.format(now);
    stamp.setAttribute("datetime", now.toISOString().replace(/\.\d+Z$/, "Z"));
  }

  // The server answers 304 while the figures are unchanged (services/web/live/conditional.py):
  // its ETag is sent back, so an unchanged poll costs one small query and no dashboard.
  var etag = null;
  function refresh() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(root.dataset.url, { cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (fresh) {
        if (fresh) {
          dashboard = fresh;
          show(dashboard);
        }
        checked();
        failure.hidden = true;
      })
      .catch(function () { failure.hidden = false; })
      // Chained rather than setInterval, so a slow answer never overlaps the next poll.
      .then(function () { setTimeout(refresh, delay); });
  }

  // Charts drawn for the screen are redrawn at the paper's width before printing.
  window.addEventListener("beforeprint", function () {
    Object.keys(charts).forEach(function (name) { charts[name].resize(); });
  });

  var delay = Number(root.dataset.refreshMs) || 5000;
  makeCharts(dashboard);
  // Chart.js keeps the widths of the axis' labels it first measured, by the font's name: drawn
  // before Marianne is loaded (its fallback is narrower), the structures' names are cut on the
  // left. Once the fonts are in, the charts are drawn anew (static/rapport.js does the same).
  if (window.Chart && document.fonts && document.fonts.status !== "loaded") {
    document.fonts.ready.then(function () {
      Object.keys(charts).forEach(function (name) { charts[name].destroy(); });
      makeCharts(dashboard);
    });
  }
  if (window.fetch) {
    auto.hidden = false;
    setTimeout(refresh, delay);
  }
})();
