// Draws every chart of the page ({% chart %}: a <figure data-chart> holding its ECharts option as JSON) with the
// vendored Apache ECharts. The figures are also in the table under each chart, so the page says everything
// without this script.
(function () {
  "use strict";
  const charts = [];

  function download(instance, title) {
    // What ECharts' own saveAsImage does (the toolbox's button), from a button a person can find and tab to.
    const url = instance.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"});
    const a = document.createElement("a");
    a.href = url;
    a.download = (title || "图表") + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function draw(figure) {
    const data = document.getElementById(figure.dataset.chart);
    const canvas = figure.querySelector(".chart-canvas");
    if (!data || !canvas || figure.dataset.drawn) return;
    const payload = JSON.parse(data.textContent);
    const dark = document.body.classList.contains("dark");
    const instance = echarts.init(canvas, dark ? "dark" : null, {renderer: "canvas"});
    const option = payload.option;
    if (dark) option.backgroundColor = "transparent";
    instance.setOption(option);
    if (payload.links) {
      // A click on a bar, point or slice opens the list behind that figure.
      instance.on("click", (params) => {
        const row = payload.links[params.seriesIndex] || [];
        const link = row[params.dataIndex];
        if (link) window.location.href = link;
      });
    }
    const title = figure.querySelector("figcaption");
    const save = figure.querySelector("[data-chart-save]");
    if (save) save.addEventListener("click", () => download(instance, title ? title.textContent.trim() : ""));
    figure.dataset.drawn = "1";
    charts.push(instance);
  }

  function drawAll() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("figure[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => charts.forEach((c) => c.resize()), 150);
  });
  // Printing: the charts at the paper's width and the figures' tables open under them.
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll("details.chart-table").forEach((d) => { d.dataset.wasOpen = d.open ? "1" : ""; d.open = true; });
    charts.forEach((c) => c.resize());
  });
  window.addEventListener("afterprint", () => {
    document.querySelectorAll("details.chart-table").forEach((d) => { d.open = d.dataset.wasOpen === "1"; });
    charts.forEach((c) => c.resize());
  });
  window.gongjianCharts = charts;
})();
