// The office's charts: leagues coloured by coverage on the Inner Mongolia map (vendored ECharts + GeoJSON).
(function () {
  var el = document.getElementById("map");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var labels = { met: el.dataset.met, partial: el.dataset.partial, unmet: el.dataset.unmet };
  var value = { unmet: 0, partial: 1, met: 2 };
  var chart = echarts.init(el);
  fetch("/static/neimenggu.json").then(function (r) { return r.json(); }).then(function (geo) {
    echarts.registerMap("neimenggu", geo);
    chart.setOption({
      tooltip: { formatter: function (p) {
        var d = p.data || {};
        return p.name + "<br>" + (labels[d.status] || "") + (d.companies && d.companies.length ? "<br>" + d.companies.join("<br>") : "");
      } },
      visualMap: { type: "piecewise", dimension: 0, left: 8, bottom: 8, pieces: [
        { value: 0, label: labels.unmet, color: "#f56565" },
        { value: 1, label: labels.partial, color: "#ecc94b" },
        { value: 2, label: labels.met, color: "#48bb78" } ] },
      series: [{ type: "map", map: "neimenggu", label: { show: true, fontSize: 10 },
        data: data.leagues.map(function (l) { return { name: l.name, code: l.code, value: value[l.status], status: l.status, companies: l.companies }; }) }]
    });
    // Drill-down: a league's counties and development zones (the table below links there too).
    chart.on("click", function (p) { if (p.data && p.data.code) { window.location.href = "/office/leagues/" + p.data.code; } });
    el.dataset.ready = "true";
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
// SME-loan growth against total-loan growth per bank (小企业信贷投放增速高于全部贷款增速).
(function () {
  var el = document.getElementById("growth-chart");
  if (!el || !window.echarts) { return; }
  var rows = JSON.parse(document.getElementById("chart-data").textContent).growth;
  echarts.init(el).setOption({
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 50, right: 16, bottom: 40, top: 36 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.bank; }) },
    yAxis: { type: "value", name: "%" },
    series: [
      { name: el.dataset.sme, type: "bar", data: rows.map(function (r) { return Number(r.sme); }), itemStyle: { color: "#1d4e89" } },
      { name: el.dataset.total, type: "bar", data: rows.map(function (r) { return Number(r.total); }), itemStyle: { color: "#9aa5b1" } }
    ]
  });
  el.dataset.ready = "true";
})();
// One league's counties and zones: the shortfall of each that is obliged to be covered.
(function () {
  var el = document.getElementById("parts-chart");
  if (!el || !window.echarts) { return; }
  var rows = JSON.parse(document.getElementById("chart-data").textContent).parts;
  echarts.init(el).setOption({
    tooltip: { trigger: "axis" }, grid: { left: 80, right: 16, bottom: 60, top: 16 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 40, fontSize: 10 } },
    yAxis: { type: "value" },
    series: [{ name: el.dataset.label, type: "bar", data: rows.map(function (r) {
      return { value: Number(r.shortfall), itemStyle: { color: r.compliant ? "#48bb78" : "#f56565" } }; }) }]
  });
  el.dataset.ready = "true";
})();
// Capital by source (regional special fund, league, county matching, private).
(function () {
  var el = document.getElementById("capital-chart");
  if (!el || !window.echarts) { return; }
  var rows = JSON.parse(document.getElementById("chart-data").textContent).capital;
  var labels = JSON.parse(el.dataset.labels);
  echarts.init(el).setOption({
    tooltip: { trigger: "item" }, legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], data: rows.map(function (r) { return { name: labels[r.source] || r.source, value: Number(r.amount) }; }) }]
  });
  el.dataset.ready = "true";
})();
// Fairs held (and announced) per league this year against the target of two.
(function () {
  var el = document.getElementById("fairs-chart");
  if (!el || !window.echarts) { return; }
  var rows = JSON.parse(document.getElementById("chart-data").textContent).fairs;
  echarts.init(el).setOption({
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 36, right: 16, bottom: 70, top: 36 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 40, fontSize: 10 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: el.dataset.held, type: "bar", stack: "f", data: rows.map(function (r) { return r.held; }), itemStyle: { color: "#1d4e89" } },
      { name: el.dataset.announced, type: "bar", stack: "f", data: rows.map(function (r) { return r.announced; }), itemStyle: { color: "#9aa5b1" } },
      { name: el.dataset.target, type: "line", symbol: "none", data: rows.map(function (r) { return r.target; }), lineStyle: { type: "dashed", color: "#c53030" } }
    ]
  });
  el.dataset.ready = "true";
})();
