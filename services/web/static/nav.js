/* bilan — the header menu of the role that signed in, on every page (templates/base.html).
 *
 * A signed-in page knows its visitor: the server shows the role's entries and writes
 * #sign-in-data (role, name, home page, end of the sign-in; no secret), kept here in the
 * browser's storage. A public page never sees the sign-in cookie (it is the same for
 * everyone, and cacheable): its role entries come hidden, with their roles in data-roles,
 * and are shown from what was kept, until the sign-in's end. A signed-in page's path seen
 * without a sign-in writes null: the browser forgets. Showing an entry grants nothing —
 * the page behind it asks for the sign-in.
 */
(function () {
  "use strict";
  var KEY = "bilan.sign-in";
  var data = document.getElementById("sign-in-data");
  var kept = null;
  try {
    if (data) {
      kept = JSON.parse(data.textContent);
      if (kept) window.localStorage.setItem(KEY, JSON.stringify(kept));
      else window.localStorage.removeItem(KEY);
      return; // the server rendered this page's menu itself
    }
    kept = JSON.parse(window.localStorage.getItem(KEY) || "null");
    if (kept && !(Date.parse(kept.expires) > Date.now())) {
      window.localStorage.removeItem(KEY);
      kept = null;
    }
  } catch (error) {
    return; // no storage (private browsing, disabled): the public menu
  }
  if (!kept) return;
  document.querySelectorAll(".fr-nav__item[data-roles]").forEach(function (item) {
    if (item.dataset.roles.split(" ").indexOf(kept.role) !== -1) item.hidden = false;
  });
  var link = document.getElementById("sign-in-link");
  if (link) {
    link.textContent = kept.name + " — " + kept.role_label;
    link.title = "Mon espace — " + kept.name;
    link.href = kept.home;
    link.classList.remove("fr-icon-lock-line");
    link.classList.add("fr-icon-account-circle-line");
  }
})();
