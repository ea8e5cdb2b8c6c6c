// Part of the page's script (see dashboard.script.ts, which inlines it in its closure and defines
// the helpers used here: svg, fill, badge, clock, span, view...). Same rules: a raw string with no
// backtick and no dollar-brace.
/** The timeline of recent runs: an SVG chart, drawn only while it is on screen. */
export const TIMELINE_SCRIPT = String.raw`
  // Reading clientWidth right after the table changed forces a layout of the whole page: it is
  // read once, and again only when the window is resized.
  var measuredWidth = 0;
  function chartWidth() {
    if (!measuredWidth) measuredWidth = document.getElementById('chart').clientWidth || 900;
    return measuredWidth;
  }
  window.addEventListener('resize', function () { measuredWidth = 0; });
  function niceStep(spanMs) {
    var steps = [1e3, 5e3, 1e4, 3e4, 6e4, 3e5, 6e5, 18e5, 36e5, 108e5, 216e5];
    for (var i = 0; i < steps.length; i++) if (spanMs / steps[i] <= 8) return steps[i];
    return 432e5;
  }
  // One row per task: a bar from start to end per run, a tick for fires that did not run.
  function chart(rows, from, to, runningIds) {
    var width = Math.max(480, chartWidth());
    var left = 200, rowH = 22, top = 18, plot = width - left - 12;
    var height = top + rows.length * rowH + 4;
    var x = function (t) { return left + ((t - from) / (to - from)) * plot; };
    var root = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'timeline of recent runs' });
    var step = niceStep(to - from);
    for (var t = Math.ceil(from / step) * step; t <= to; t += step) {
      root.appendChild(svg('line', { class: 'grid', x1: x(t), x2: x(t), y1: top - 4, y2: height }));
      root.appendChild(svg('text', { x: x(t) - 20, y: 11 }, clock(t)));
    }
    rows.forEach(function (row, index) {
      var y = top + index * rowH;
      root.appendChild(svg('text', { class: 'label', x: 4, y: y + 14 }, row.taskName.slice(0, 30)));
      root.appendChild(svg('line', { class: 'grid', x1: left, x2: left + plot, y1: y + rowH, y2: y + rowH }));
      row.runs.forEach(function (run) {
        var tip = (run.count ? run.count + ' runs ' : '') + STATUS_WORDS[run.status] + ' \u00b7 ' + run.origin + (run.attempt > 1 ? ' attempt ' + run.attempt : '') +
          (run.start !== null ? ' \u00b7 started ' + clock(run.start) + ' \u00b7 took ' + span(run.end - run.start)
            : ' \u00b7 at ' + clock(run.end)) + (run.instanceId ? ' \u00b7 replica ' + run.instanceId : '');
        var shape = run.start === null
          ? svg('rect', { x: x(run.end) - 1, y: y + 3, width: 2, height: rowH - 6 })
          : svg('rect', { x: x(Math.max(run.start, from)), y: y + 5, height: rowH - 10,
            width: Math.max(2, x(run.end) - x(Math.max(run.start, from))) });
        shape.setAttribute('class', 'run r-' + run.status);
        shape.setAttribute('data-run', run.runId);
        shape.appendChild(svg('title', {}, tip));
        root.appendChild(shape);
      });
      if (runningIds.indexOf(row.taskId) >= 0) {
        root.appendChild(svg('circle', { class: 'r-running', cx: x(to) - 4, cy: y + rowH / 2, r: 4 }));
      }
    });
    root.appendChild(svg('line', { class: 'now', x1: x(to), x2: x(to), y1: top - 4, y2: height }));
    return root;
  }
  // Drawn only while on screen: with hundreds of tasks the chart is thousands of nodes far below
  // the table, and redrawing it there every second kept the page too busy to answer a click.
  function renderTimeline(overview) {
    if (!view.timelineOnScreen || !overview) return;
    var timeline = overview.timeline;
    var running = overview.tasks.filter(function (t) { return t.running; }).map(function (t) { return t.id; });
    fill('chart', [chart(timeline.rows, timeline.from, timeline.to, running)]);
  }
  new IntersectionObserver(function (entries) {
    view.timelineOnScreen = entries[entries.length - 1].isIntersecting;
    renderTimeline(view.overview);
  }).observe(document.getElementById('timeline'));
  fill('legend', Object.keys(STATUS_WORDS).map(function (key) {
    return el('span', {}, [badge(STATUS_WORDS[key], key)]);
  }));
`;
