// The insights charts: each draws numbers the page also shows in a table (json_script "insights-chart").
(function () {
  "use strict";
  var source = document.getElementById("insights-chart");
  if (!source || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var names = data.names;
  var charts = [];

  function mount(name, rows) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return null;
    if (rows) el.style.height = Math.max(160, 26 * rows + 40) + "px"; // one bar per row, readable
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    el.setAttribute("data-drawn", "1");
    charts.push(chart);
    return chart;
  }

  function percentAxis() {
    return { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } };
  }

  var trend = mount("trend");
  function drawTrend(kind) {
    var s = data[kind];
    trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 40, right: 40, top: 40, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: s.labels },
      yAxis: [{ type: "value", minInterval: 1 }, percentAxis()],
      series: [
        { name: names.reported, type: "bar", data: s.reported },
        { name: names.closure, type: "line", yAxisIndex: 1, data: s.closure, connectNulls: true },
        { name: names.on_time_handling, type: "line", yAxisIndex: 1, data: s.on_time_handling, connectNulls: true },
        { name: names.satisfaction, type: "line", yAxisIndex: 1, data: s.satisfaction, connectNulls: true }
      ]
    }, true);
    document.querySelectorAll("[data-trend]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-trend") === kind ? "true" : "false");
    });
  }
  if (trend) {
    drawTrend(data.months.labels.length > 1 ? "months" : "weeks");
    document.querySelectorAll("[data-trend]").forEach(function (b) {
      b.addEventListener("click", function () { drawTrend(b.getAttribute("data-trend")); });
    });
  }

  var children = mount("children", data.children.labels.length);
  if (children) {
    var c = data.children;
    children.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 10, right: 20, top: 10, bottom: 10, containLabel: true },
      xAxis: c.percent ? percentAxis() : { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: c.labels, inverse: true },
      series: [{ name: c.name, type: "bar", data: c.values }]
    });
  }

  var types = mount("types", data.types.labels.length);
  if (types) {
    types.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 10, right: 20, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.types.labels, inverse: true },
      series: [{ name: names.reported, type: "bar", data: data.types.reported }]
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
