// The fund progress page's charts. The figures come from the page itself (json_script "chart-data"), so
// the charts and the tables beside them show the same snapshot; nothing is fetched.
(() => {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const numbers = (values) => values.map((value) => (value === null || value === "" ? null : Number(value)));
  const grouping = new Intl.NumberFormat(data.language, { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(data.language, { notation: "compact", maximumFractionDigits: 1 });
  const money = (value) => `${grouping.format(value)} ${data.currency}`;
  const colours = { disbursed: "#0b6e4f", planned: "#6c757d", committed: "#1f4e9c", allocated: "#c05621" };
  const tooltip = {
    callbacks: { label: (item) => `${item.dataset.label}: ${money(item.parsed.y ?? item.parsed.x ?? item.parsed)}` },
  };
  const moneyAxis = { beginAtZero: true, ticks: { callback: (value) => `${compact.format(value)} ${data.currency}` } };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  const charts = {};
  charts.deployment = new Chart(document.getElementById("chart-deployment"), {
    type: "line",
    data: {
      labels: data.deployment.labels,
      datasets: [
        { label: data.text.disbursed, data: numbers(data.deployment.disbursed), borderColor: colours.disbursed,
          backgroundColor: colours.disbursed, tension: 0.1 },
        { label: data.text.planned, data: numbers(data.deployment.planned), borderColor: colours.planned,
          backgroundColor: colours.planned, borderDash: [6, 4], pointRadius: 0 },
        { label: data.text.committed, data: numbers(data.deployment.committed), borderColor: colours.committed,
          backgroundColor: colours.committed, pointRadius: 0, borderWidth: 1 },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, scales: { y: moneyAxis }, plugins: { tooltip } },
  });
  charts.stages = new Chart(document.getElementById("chart-stages"), {
    type: "bar",
    data: {
      labels: data.stages.labels,
      datasets: [
        { label: data.text.allocated, data: numbers(data.stages.allocated), backgroundColor: colours.allocated },
        { label: data.text.disbursed, data: numbers(data.stages.disbursed), backgroundColor: colours.disbursed },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, scales: { y: moneyAxis }, plugins: { tooltip } },
  });
  charts.films = new Chart(document.getElementById("chart-films"), {
    type: "bar",
    data: {
      labels: data.films.labels,
      datasets: [
        { label: data.text.film_commitment, data: numbers(data.films.committed), backgroundColor: colours.committed },
        { label: data.text.disbursed, data: numbers(data.films.disbursed), backgroundColor: colours.disbursed },
      ],
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: moneyAxis },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${money(item.parsed.x)}` } } },
    },
  });
  // The browser tests (and anyone debugging) find the drawn charts here.
  window.fundCharts = charts;
})();
