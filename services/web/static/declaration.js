/* bilan — the declaration form's live check of the funders (yearend/templates/declaration_form.html).
 *
 * The form works without it: the server reads and checks it (yearend/declaration_form.py)
 * and shows each error beside its field, and their list (each naming its field) above the
 * form. With it:
 * - the funders' sum is shown as one types, beside what it must equal (the main and specific
 *   funding together), and once a field is left the sentence of a mismatch appears under the
 *   funders — the server's own sentence, from data-mismatch, with numbers formatted as the
 *   server formats them;
 * - the page never moves under a pressed button: a field left by pressing "Transmettre" (the
 *   press takes the focus, which fires the field's change) is judged after the click, not
 *   during it — a message added above the button would move it from under the pointer, and
 *   the click would be lost;
 * - an error of the last submission leaves its field as soon as the field reads as a number
 *   again (and its line leaves the list above): what is shown is about the values shown;
 * - after a refused submission the list of errors takes the focus, and its links put the
 *   focus in their field.
 * Submitting is never blocked here: the server decides.
 */
(function () {
  "use strict";
  var form = document.getElementById("declaration-form");
  var line = document.getElementById("funders-sum");
  if (!form || !line) return;
  var group = document.getElementById("funders-group");
  var messages = document.getElementById("funders-messages");
  var summary = document.getElementById("form-errors");
  var FUNDING = ["funding_main", "funding_specific"];
  var FUNDERS = ["funder_state", "funder_region", "funder_department", "funder_municipalities",
                 "funder_esf", "funder_other"];
  var FIELDS = ["professionals", "funding_managed_funds"].concat(FUNDING, FUNDERS);
  // French grouping with the narrow no-break space, as services/web/formatting.py writes it.
  var grouping = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0, useGrouping: true });
  function euros(value) {
    return grouping.format(value).replace(/[\u00a0 ]/g, "\u202f") + "\u202f€";
  }
  // The same reading as the server's: spaces between groups and a final € accepted, ASCII digits.
  function read(name) {
    var text = form.elements[name].value.trim().replace(/€$/, "").replace(/[ \u00a0\u202f]/g, "");
    return /^[0-9]{1,13}$/.test(text) ? Number(text) : null;
  }
  function sums() {
    var values = FUNDING.concat(FUNDERS).map(read);
    if (values.some(function (v) { return v === null; })) return null;
    var covered = values[0] + values[1];
    var funders = values.slice(2).reduce(function (a, b) { return a + b; }, 0);
    return { covered: covered, funders: funders };
  }
  function error() {
    var node = document.getElementById("funders-error");
    if (!node) {
      node = document.createElement("p");
      node.id = "funders-error";
      node.className = "fr-message fr-message--error";
      messages.appendChild(node);
    }
    return node;
  }
  // The summary's line about a field (or the funders' group), if any.
  function forgetInSummary(target) {
    if (!summary) return;
    var link = summary.querySelector('a[href="#' + target + '"]');
    if (link && link.parentNode) link.parentNode.remove();
    var left = summary.querySelectorAll("li").length;
    var title = summary.querySelector(".fr-alert__title");
    if (!title || !title.dataset.many) return;
    if (left === 0) title.textContent = title.dataset.corrected;
    else if (left === 1) title.textContent = title.dataset.one;
    else title.textContent = title.dataset.many.replace("{n}", left);
  }
  function update(judge) {
    var s = sums();
    if (!s) { line.textContent = ""; return; }
    line.textContent = "Somme des financeurs : " + euros(s.funders) +
      " ; activité principale et activités spécifiques : " + euros(s.covered) + ".";
    if (s.funders === s.covered) {
      var node = document.getElementById("funders-error");
      if (node) node.remove();
      group.classList.remove("fr-fieldset--error");
      group.classList.add("fr-fieldset--valid");
      forgetInSummary("funders-group");
    } else if (judge) {
      error().textContent = line.dataset.mismatch
        .replace("{funders}", euros(s.funders))
        .replace("{covered}", euros(s.covered))
        .replace("{gap}", euros(Math.abs(s.funders - s.covered)));
      group.classList.add("fr-fieldset--error");
      group.classList.remove("fr-fieldset--valid");
    }
  }
  // A field that reads as a number again: its error (about the value submitted) goes.
  function clearField(name) {
    if (read(name) === null) return;
    var input = form.elements[name];
    var message = document.getElementById(name + "-error");
    if (message) message.remove();
    input.classList.remove("fr-input--error");
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    var box = input.closest(".fr-input-group");
    if (box) box.classList.remove("fr-input-group--error");
    forgetInSummary(name);
  }

  // A press on the form's buttons: the change it causes is judged once the click is done.
  var pressing = false;
  var judgeAfterPress = false;
  form.addEventListener("pointerdown", function (event) {
    if (event.target.closest(".form-actions")) pressing = true;
  }, true);
  function released() {
    if (!pressing) return;
    // After the click (dispatched with the release): it has been delivered where it was aimed.
    setTimeout(function () {
      pressing = false;
      if (judgeAfterPress) { judgeAfterPress = false; update(true); }
    }, 0);
  }
  window.addEventListener("pointerup", released, true);
  window.addEventListener("pointercancel", released, true);

  FIELDS.forEach(function (name) {
    var input = form.elements[name];
    input.addEventListener("input", function () {
      if (!pressing) { clearField(name); update(false); }
    });
    input.addEventListener("change", function () {
      if (pressing) { judgeAfterPress = true; return; }
      clearField(name);
      update(true);
    });
  });
  update(false);

  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      });
    });
  }
})();
