/* Merchant dashboard: redemptions per day (Chart.js, data from json_script). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("redemptions-chart");
    var src = document.getElementById("chart-data");
    if (!canvas || !src || !window.Chart) return;
    var data = JSON.parse(src.textContent);
    var font = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.font.family = font;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values, backgroundColor: "#ff5a1f", hoverBackgroundColor: "#e14a12",
          borderRadius: 6, maxBarThickness: 28 }],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#6b7280", maxRotation: 0, autoSkip: true } },
          y: { beginAtZero: true, ticks: { precision: 0, color: "#6b7280" }, grid: { color: "#eef0f3" } },
        },
      },
    });
  });
})();
