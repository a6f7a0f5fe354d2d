// The dashboard overview's charts: reads the figures the page carries as JSON (#overview-data)
// and draws each with uPlot. Nothing is fetched: the page is the data.
(() => {
  const source = document.getElementById('overview-data');
  if (!source || typeof uPlot !== 'function') return;
  const data = JSON.parse(source.textContent);
  const colors = ['#2456d3', '#b42318', '#05603a'];
  for (const chart of data.charts) {
    const target = document.getElementById(chart.id);
    if (!target) continue;
    const series = [{}].concat(
      chart.series.map((label, i) => ({
        label,
        stroke: colors[i % colors.length],
        width: 2,
        spanGaps: false,
      })),
    );
    const width = Math.max(280, target.clientWidth || 560);
    // uPlot sets its elements' styles through the DOM, which the page's policy allows.
    new uPlot(
      { width, height: 220, series, scales: { x: { time: true } }, legend: { live: true } },
      [data.times].concat(chart.values),
      target,
    );
  }
})();
