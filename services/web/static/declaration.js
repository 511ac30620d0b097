/* bilan — the declaration form's live check of the funders (yearend/templates/declaration_form.html).
 *
 * The form works without it: the server reads and checks it (yearend/declaration_form.py)
 * and shows each error beside its field. With it, the funders' sum is shown as one types,
 * beside what it must equal (the main and specific funding together), and once a field is
 * left the sentence of a mismatch appears under the funders — the server's own sentence,
 * from data-mismatch, with numbers formatted as the server formats them. Submitting is never
 * blocked here: the server decides.
 */
(function () {
  "use strict";
  var form = document.getElementById("declaration-form");
  var line = document.getElementById("funders-sum");
  if (!form || !line) return;
  var group = document.getElementById("funders-group");
  var messages = document.getElementById("funders-messages");
  var FUNDING = ["funding_main", "funding_specific"];
  var FUNDERS = ["funder_state", "funder_region", "funder_department", "funder_municipalities",
                 "funder_esf", "funder_other"];
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
    } else if (judge) {
      error().textContent = line.dataset.mismatch
        .replace("{funders}", euros(s.funders))
        .replace("{covered}", euros(s.covered))
        .replace("{gap}", euros(Math.abs(s.funders - s.covered)));
      group.classList.add("fr-fieldset--error");
      group.classList.remove("fr-fieldset--valid");
    }
  }
  FUNDING.concat(FUNDERS).forEach(function (name) {
    var input = form.elements[name];
    input.addEventListener("input", function () { update(false); });
    input.addEventListener("change", function () { update(true); });
  });
  update(false);
})();
