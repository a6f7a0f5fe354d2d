// The dashboard overview's charts: reads the figures the page carries as JSON (#overview-data)
// and draws each with uPlot. Nothing is fetched: the page is the data.
(() => {
  const source = document.getElementById('overview-data');
  if (!source || typeof uPlot !== 'function') return;
  const data = JSON.parse(source.textContent);
  const colors = ['#2456d3', '#b42318', '#05603a'];
  // Times read in the gateway's zone, as every other time on the dashboard is.
  const tzDate = (ts) => uPlot.tzDate(new Date(ts * 1000), data.zone);
  for (const chart of data.charts) {
    const target = document.getElementById(chart.id);
    if (!target) continue;
    const series = [{}].concat(
      chart.series.map((label, i) => ({
        label,
        stroke: colors[i % colors.length],
        width: 2,
        // A lone bucket has no line to draw: its point shows it.
        points: { show: true, size: 5 },
      })),
    );
    const scales = { x: { time: true } };
    if (chart.percent) scales.y = { range: [0, 100] };
    const width = Math.max(280, target.clientWidth || 560);
    // uPlot sets its elements' styles through the DOM, which the page's policy allows.
    new uPlot({ width, height: 220, series, scales, tzDate }, [data.times].concat(chart.values), target);
  }
})();
