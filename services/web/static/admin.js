/* bilan — /admin: follows the consolidation job the page was opened on (#job, yearend/templates/admin.html).
 *
 * A static file rather than an inline script: the Content-Security-Policy allows scripts from
 * this origin only (services/web/headers.py). Polls GET /v1/consolidations/{id} every half
 * second and moves the progress bar, and the job's row of the history with it, until the job
 * succeeds (a link to its report) or fails; then the row gets its end time from the history
 * (GET /v1/consolidations), written in Paris time as the server writes it.
 */
(function () {
  "use strict";
  var box = document.getElementById("job");
  var labels = {queued: "en attente", running: "en cours", succeeded: "terminée", failed: "échec"};
  var row = document.getElementById("job-" + box.dataset.job);
  var paris = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });
  // "12/06/2024 à 14:05:03 (heure de Paris)", as services/web/formatting.py format_datetime.
  function inParis(iso) {
    var parts = {};
    paris.formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.day + "/" + parts.month + "/" + parts.year + " à " + parts.hour + ":" +
      parts.minute + ":" + parts.second + " (heure de Paris)";
  }
  function percentText(progress) {
    return Math.round(progress * 100) + "\u202f%";
  }
  function reportUrl(job) {
    return box.dataset.reports.replace(/\/0$/, "/" + job.year) + "?version=" + job.version;
  }
  function showRow(job) {
    if (!row) return;
    var status = labels[job.status] || job.status;
    row.querySelector(".job-status").textContent = job.error ? status + " — " + job.error : status;
    row.querySelector(".job-progress").textContent = percentText(job.progress);
    var version = row.querySelector(".job-version");
    if (job.version && !version.querySelector("a")) {
      var link = document.createElement("a");
      link.href = reportUrl(job);
      link.textContent = "version " + job.version;
      version.replaceChildren(link);
    }
  }
  function finished(job) {
    if (!row) return;
    fetch(box.dataset.list + "?year=" + job.year, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (list) {
        list.consolidations.forEach(function (entry) {
          if (entry.id === job.id && entry.finished_at) {
            row.querySelector(".job-finished").textContent = inParis(entry.finished_at);
          }
        });
      })
      .catch(function () { /* the next reload shows it */ });
  }
  function poll() {
    fetch(box.dataset.endpoint, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (job) {
      var percent = Math.round(job.progress * 100);
      document.getElementById("job-status").textContent = labels[job.status] || job.status;
      document.getElementById("job-progress").value = percent;
      document.getElementById("job-percent").textContent = percentText(job.progress);
      showRow(job);
      if (job.status === "succeeded") {
        var link = document.getElementById("job-report");
        link.href = reportUrl(job);
        link.textContent = "Ouvrir le rapport " + job.year + " (version " + job.version + ")";
        document.getElementById("job-done").hidden = false;
        finished(job);
      } else if (job.status === "failed") {
        var error = document.getElementById("job-error");
        error.textContent = "La consolidation a échoué : " + job.error;
        error.hidden = false;
        finished(job);
      } else {
        setTimeout(poll, 500);
      }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
