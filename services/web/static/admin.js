/* bilan — /admin: follows the consolidation job the page was opened on (#job, templates/admin.html).
 *
 * A static file rather than an inline script: the Content-Security-Policy allows scripts from
 * this origin only (services/web/headers.py). Polls GET /v1/consolidations/{id} every half
 * second and moves the progress bar until the job succeeds (a link to its report) or fails.
 */
(function () {
  var box = document.getElementById("job");
  var labels = {queued: "en attente", running: "en cours", succeeded: "terminée", failed: "échec"};
  function poll() {
    fetch(box.dataset.endpoint, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (job) {
      var percent = Math.round(job.progress * 100);
      document.getElementById("job-status").textContent = labels[job.status] || job.status;
      document.getElementById("job-progress").value = percent;
      document.getElementById("job-percent").textContent = percent + "\u202f%";
      if (job.status === "succeeded") {
        var link = document.getElementById("job-report");
        link.href = box.dataset.reports.replace(/\/0$/, "/" + job.year) + "?version=" + job.version;
        link.textContent = "Ouvrir le rapport " + job.year + " (version " + job.version + ")";
        document.getElementById("job-done").hidden = false;
      } else if (job.status === "failed") {
        var error = document.getElementById("job-error");
        error.textContent = "La consolidation a échoué : " + job.error;
        error.hidden = false;
      } else {
        setTimeout(poll, 500);
      }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
