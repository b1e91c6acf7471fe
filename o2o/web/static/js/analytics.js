/* Merchant analytics: the days as lines (counts, and net revenue on its own axis) with Chart.js;
   data from json_script (analytics-data). The funnel and the tables are plain HTML. */
(function () {
  "use strict";
  var COLOURS = { scans: "#8b5cf6", orders: "#2563eb", paid: "#16a34a", served: "#ff5a1f" };
  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("days-chart");
    var src = document.getElementById("analytics-data");
    if (!canvas || !src || !window.Chart) return;
    var data = JSON.parse(src.textContent);
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    var sets = data.series.map(function (s) {
      return { label: s.label, data: s.values, borderColor: COLOURS[s.key], backgroundColor: COLOURS[s.key],
        tension: 0.25, pointRadius: 0, borderWidth: 2, yAxisID: "y" };
    });
    if (data.revenue.label) {
      // amounts arrive as decimal strings; Number() only to place the bars
      sets.push({ type: "bar", label: data.revenue.label, data: data.revenue.values.map(Number),
        backgroundColor: "rgba(255, 90, 31, 0.15)", borderRadius: 4, yAxisID: "money", order: 10 });
    }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: sets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, usePointStyle: true } } },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#6b7280", maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
          y: { beginAtZero: true, ticks: { precision: 0, color: "#6b7280" }, grid: { color: "#eef0f3" } },
          money: { position: "right", beginAtZero: true, grid: { display: false }, ticks: { color: "#9ca3af" } },
        },
      },
    });
  });
})();
