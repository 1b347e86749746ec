// Maps of points on a region's boundary (core/_map.html), drawn with the vendored Apache ECharts: the boundary is
// registered as a map, a geo component draws it, and one scatter series per light colour draws the points (so the
// legend can hide a colour). Clicking a point fills the page's card for that map (data-map-card), if it has one.
(function () {
  "use strict";
  if (window.gongjianMaps) return;  // a page with several maps includes this script once for each
  window.gongjianMaps = true;
  var COLOURS = {"0": "#2e9d57", "1": "#e8b400", "2": "#d93025", "none": "#9aa0a6"};
  var ORDER = ["0", "1", "2", "none"];  // drawn in this order: red on top of green

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // A clicked point's card: its name at once, its figures as the server gives them (onemap's card view).
  function fill(card, point, figures) {
    card.querySelectorAll("[data-field]").forEach(function (el) {
      var key = el.dataset.field;
      var value = figures ? figures[key] : undefined;
      if (key === "name") { el.textContent = point.name; el.href = card.dataset.projectUrl.replace("/0/", "/" + point.id + "/"); }
      else if (key === "url" || key === "light_url") { el.href = value || "#"; el.hidden = !value; }
      else if (key === "swatch") { el.className = figures && "colour" in figures ? "light light-" + (figures.colour === null ? "none" : figures.colour) : "light"; }
      else { el.textContent = value === undefined || value === "" ? (figures ? "—" : "…") : value; }
    });
  }

  function open(card, point) {
    var url = card.dataset.cardUrl.replace("/0/", "/" + point.id + "/");
    card.dataset.projectId = point.id;
    card.dataset.loaded = "";
    card.querySelector("[data-card-error]").hidden = true;
    fill(card, point, null);
    card.hidden = false;
    // On a phone the card sits under the map: bring it into view.
    if (card.getBoundingClientRect().top > window.innerHeight) card.scrollIntoView({block: "nearest"});
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (figures) {
        if (card.dataset.projectId !== String(point.id)) return;  // another point was clicked meanwhile
        fill(card, point, figures);
        card.dataset.loaded = String(point.id);
      })
      .catch(function () {
        if (card.dataset.projectId === String(point.id)) card.querySelector("[data-card-error]").hidden = false;
      });
  }

  function draw(figure) {
    var id = figure.dataset.map;
    var canvas = figure.querySelector("[data-map-canvas]");
    var boundary = read(id + "-boundary");
    var points = read(id + "-points") || [];
    // A degree of longitude is shorter than one of latitude by the cosine of the latitude (ECharts assumes 0.75).
    if (!canvas || !boundary || !window.echarts || figure.dataset.drawn) return;
    var name = "gongjian-" + id;
    window.echarts.registerMap(name, boundary);
    var chart = window.echarts.init(canvas);
    var groups = {};
    ORDER.forEach(function (key) { groups[key] = []; });
    points.forEach(function (p, i) {
      var key = p.colour === null || p.colour === undefined ? "none" : String(p.colour);
      groups[key].push({name: p.name, value: p.value, symbolSize: p.size, index: i});
    });
    chart.setOption({
      animation: false,
      tooltip: {trigger: "item", confine: true, formatter: function (params) {
        var p = params.data && points[params.data.index];
        return p ? window.echarts.format.encodeHTML(p.name + (p.total ? "（" + p.total + "）" : "")) : "";
      }},
      geo: {
        map: name, roam: true, aspectScale: Math.cos((parseFloat(figure.dataset.latitude || "0") * Math.PI) / 180),
        layoutCenter: ["50%", "50%"], layoutSize: "95%",
        itemStyle: {areaColor: "#eef2f7", borderColor: "#5b7083", borderWidth: 1.2},
        emphasis: {disabled: true}, select: {disabled: true}, label: {show: false}, tooltip: {show: false},
      },
      series: ORDER.filter(function (key) { return groups[key].length; }).map(function (key) {
        return {
          id: "light-" + key, type: "scatter", coordinateSystem: "geo", data: groups[key],
          itemStyle: {color: COLOURS[key], borderColor: "#fff", borderWidth: 1, opacity: 0.9},
          emphasis: {scale: 1.4}, z: 2 + ORDER.indexOf(key),
        };
      }),
    });
    var card = document.querySelector('[data-map-card="' + id + '"]');
    chart.on("click", function (params) {
      if (params.componentType === "series" && params.data && card) open(card, points[params.data.index]);
    });
    if (card) {
      var close = card.querySelector("[data-map-close]");
      if (close) close.addEventListener("click", function () { card.hidden = true; });
    }
    window.addEventListener("resize", function () { chart.resize(); });
    figure.dataset.drawn = String(points.length);
  }

  // After every deferred script of the page has run: a page with charts has loaded ECharts already
  // ({% chart_script %}) and the maps use that one (loading it twice would replace the global its charts live in);
  // otherwise the first map loads it.
  function start() {
    var figures = document.querySelectorAll("[data-map]");
    if (!figures.length) return;
    if (window.echarts) { figures.forEach(draw); return; }
    var script = document.createElement("script");
    script.src = figures[0].dataset.echarts;
    script.onload = function () { figures.forEach(draw); };
    document.head.appendChild(script);
  }
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
