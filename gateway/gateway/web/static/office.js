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
        data: data.leagues.map(function (l) { return { name: l.name, value: value[l.status], status: l.status, companies: l.companies }; }) }]
    });
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
