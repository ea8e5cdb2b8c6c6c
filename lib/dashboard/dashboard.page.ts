import { DASHBOARD_SCRIPT } from './dashboard.script.js';

// Plain CSS, no framework: the page ships inside the package and must stay small.
const STYLE = String.raw`
:root { --ok: #2e9d5b; --bad: #d64545; --late: #e08a1e; --off: #8a8f98; --miss: #9b59b6;
  --run: #2f6fde; --line: #e3e6ea; --muted: #5f6670; font: 14px/1.4 system-ui, sans-serif; }
body { margin: 0; color: #1d2127; background: #f6f7f9; }
header { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; padding: 10px 20px;
  background: #1d2127; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
header .facts { display: flex; gap: 14px; flex-wrap: wrap; color: #c9ced6; }
#live { margin-left: auto; }
#live::before { content: '\25CF  '; color: var(--off); }
#live.on::before { color: #46d27c; }
main { padding: 12px 20px; display: grid; gap: 16px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
h2 { font-size: 15px; margin: 2px 0 8px; display: flex; gap: 12px; align-items: center; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num { font-variant-numeric: tabular-nums; }
/* Busy tasks change cells every second. Rows are grids of fixed columns, so that a change lays
   out its row only and never moves the buttons under the pointer; rows off screen are skipped
   (content-visibility) until they scroll into view. The table's roles are explicit in the markup:
   some browsers drop them from a table whose display is changed. */
#tasks table, #tasks thead, #tasks tbody { display: block; }
#tasks tr { display: grid; grid-template-columns: 17% 8% 14% 7% 9% 19% 12% 14%; }
#task-rows tr { content-visibility: auto; contain-intrinsic-size: auto 34px; }
#tasks td { overflow-wrap: break-word; }
a { color: var(--run); text-decoration: none; cursor: pointer; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; color: #fff;
  background: var(--off); }
.s-running, .s-started { background: var(--run); }
.s-idle, .s-succeeded { background: var(--ok); }
.s-paused, .s-queued, .s-delayed { background: var(--late); }
.s-exhausted, .s-cancelled, .s-skipped { background: var(--off); }
.s-failed { background: var(--bad); }
.s-timedOut { background: var(--late); }
.s-missed { background: var(--miss); }
button { font: inherit; padding: 2px 9px; margin-right: 4px; border: 1px solid #c5cad1;
  border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { background: #eef1f5; }
svg text { font-size: 11px; fill: var(--muted); }
svg .label { fill: #1d2127; }
svg .grid { stroke: var(--line); }
svg .now { stroke: var(--run); stroke-dasharray: 3 3; }
svg .r-succeeded { fill: var(--ok); } svg .r-failed { fill: var(--bad); }
svg .r-timedOut { fill: var(--late); } svg .r-cancelled, svg .r-skipped { fill: var(--off); }
svg .r-missed { fill: var(--miss); } svg .r-running { fill: var(--run); }
.legend span { margin-right: 10px; font-size: 12px; }
#panel { position: fixed; top: 0; right: 0; bottom: 0; width: min(760px, 100%); overflow: auto;
  background: #fff; border-left: 1px solid var(--line); box-shadow: -4px 0 16px rgba(0,0,0,.08);
  padding: 14px 18px; box-sizing: border-box; }
#panel[hidden], section[hidden] { display: none; }
pre { white-space: pre-wrap; font-size: 12px; background: #fbf2f2; padding: 6px; margin: 4px 0; }
#error { color: var(--bad); }
`;

/** The whole page: markup, style and script in one response, with no request elsewhere. */
export function renderDashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AioClock dashboard</title>
<style nonce="${nonce}">${STYLE}</style></head>
<body>
<header><h1>AioClock</h1><div class="facts" id="facts"></div><span id="live">connecting</span></header>
<main>
<div id="error" role="alert"></div>
<section id="tasks"><h2>Tasks</h2><table role="table"><thead role="rowgroup"><tr role="row">
<th role="columnheader">task</th><th role="columnheader">group</th><th role="columnheader">trigger</th>
<th role="columnheader">state</th><th role="columnheader">next run</th>
<th role="columnheader">last outcome</th><th role="columnheader">runs</th><th role="columnheader"></th>
</tr></thead><tbody id="task-rows" role="rowgroup"></tbody></table></section>
<section id="timeline"><h2>Timeline of recent runs <select id="window">
<option value="1">1 min</option><option value="10" selected>10 min</option>
<option value="60">1 h</option><option value="1440">24 h</option></select></h2>
<div id="chart"></div><div class="legend" id="legend"></div></section>
<section id="jobs" hidden><h2>Background jobs</h2><div id="pools"></div>
<h3>Running</h3><div id="running-jobs"></div><h3>Recent</h3><div id="recent-jobs"></div></section>
</main>
<aside id="panel" hidden><div id="panel-head"></div><div id="panel-body"></div></aside>
<script nonce="${nonce}">${DASHBOARD_SCRIPT}</script>
</body></html>`;
}
