/* bilan — the dashboard's map of the regions (templates/_map.html, live/choropleth.py).
 *
 * The section is complete without it: its table holds every region's values and link.
 * With it, /carte/regions.svg is fetched and inlined; each region becomes a link to its
 * dashboard (click, or Tab then Enter: the URL the Région select gives), named by its region
 * and value, and is shaded by the class of the chosen figure (the server computed the
 * classes, their legends and the French texts: nothing is formatted here). Once the map
 * is drawn the table folds into its <details>; if the map cannot be had (404 without the
 * npm map data), the table stays open and a sentence says why.
 */
(function () {
  "use strict";

  var section = document.getElementById("carte");
  var embedded = document.getElementById("map-data");
  if (!section || !embedded || !window.fetch || !window.DOMParser) return;
  var data = JSON.parse(embedded.textContent);
  var box = document.getElementById("map-box");
  var layout = section.querySelector(".map-layout");
  var chooser = section.querySelector(".map-figure");
  var select = document.getElementById("map-figure");
  var table = document.getElementById("map-table");
  var SVG = "http://www.w3.org/2000/svg";
  var byCode = {};
  data.regions.forEach(function (region) { byCode[region.code] = region; });
  var headers = {};
  data.figures.forEach(function (figure) { headers[figure.key] = figure.header; });
  var links = {};

  function shade(key) {
    Object.keys(links).forEach(function (code) {
      var region = byCode[code];
      var link = links[code];
      var group = link.querySelector(".region");
      for (var i = 0; i < 5; i += 1) group.classList.remove("shade-" + i);
      group.classList.remove("shade-nd");
      group.classList.add("shade-" + region.shades[key]);
      var name = region.name + " : " + region.display[key] + " — " + headers[key] +
        (region.current ? " (région affichée)" : "");
      link.setAttribute("aria-label", name);
      var title = group.querySelector("title");
      if (title) title.textContent = name;
    });
    section.querySelectorAll(".map-legend").forEach(function (legend) {
      legend.hidden = legend.getAttribute("data-legend") !== key;
    });
  }

  function unavailable() {
    section.querySelector(".map-unavailable").hidden = false;
    table.open = true;
  }

  function draw(text) {
    var parsed = new DOMParser().parseFromString(text, "image/svg+xml");
    var svg = parsed.documentElement;
    if (!svg || svg.namespaceURI !== SVG) { unavailable(); return; }
    svg = document.importNode(svg, true);
    // A group of links now, no longer a single image.
    svg.setAttribute("role", "group");
    svg.setAttribute("focusable", "false");
    svg.querySelectorAll("g.region").forEach(function (group) {
      var region = byCode[group.getAttribute("data-region")];
      if (!region) return;
      var link = document.createElementNS(SVG, "a");
      link.setAttribute("href", region.href);
      link.setAttribute("class", "region-link");
      if (region.current) {
        group.classList.add("current");
        link.setAttribute("aria-current", "true");
      }
      group.parentNode.insertBefore(link, group);
      link.appendChild(group);
      links[region.code] = link;
    });
    box.appendChild(svg);
    layout.hidden = false;
    chooser.hidden = false;
    shade(select.value);
    // The same values stay one click away, and for screen readers in the links' names.
    table.open = false;
  }

  select.addEventListener("change", function () { shade(select.value); });
  fetch(section.getAttribute("data-svg-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("map " + response.status);
      return response.text();
    })
    .then(draw)
    .catch(unavailable);
})();
