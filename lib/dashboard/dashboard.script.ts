// The page's script, sent as is: plain browser JavaScript (no build step, no library). It is a
// raw string, so it must contain no backtick and no dollar-brace; escapes reach the browser intact.
// Every request carries the page's own query string, so a guard that reads a token from the query
// sees it on the API and the event stream too (EventSource cannot send headers). The task table
// and the timeline live in their own files and are inlined here, in the same closure.
import { TASK_ROWS_SCRIPT } from './task-rows.script.js';
import { TIMELINE_SCRIPT } from './timeline.script.js';

/** The page's whole script. */
export const DASHBOARD_SCRIPT = String.raw`
'use strict';
(function () {
  var base = location.pathname.replace(/\/+$/, '');
  // One refresh in flight at most: a request made meanwhile runs once after it (refreshes cannot
  // overlap, nor land out of order). rows: the task rows by name (see task-rows.script.ts).
  var view = { overview: null, detail: null, minutes: 10, timer: null, openRuns: new Set(),
    refreshFailed: false, inFlight: false, again: false, lastStart: 0, rows: new Map(),
    timelineOnScreen: false, panelHead: '' };
  // The server shares one overview per second between pages: asking more often brings nothing new.
  var REFRESH_GAP = 1000;
  var RECENT_JOBS_SHOWN = 15;
  var STATUS_WORDS = { succeeded: 'ok', failed: 'failed', timedOut: 'timed out', skipped: 'skipped',
    missed: 'missed', cancelled: 'cancelled' };

  function url(path, params) {
    var search = new URLSearchParams(location.search);
    Object.keys(params || {}).forEach(function (key) { search.set(key, params[key]); });
    var text = search.toString();
    return base + path + (text ? '?' + text : '');
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'onclick') node.addEventListener('click', attrs[key]);
      else if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    });
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fill(id, children) {
    var node = document.getElementById(id);
    node.replaceChildren.apply(node, children);
    return node;
  }
  function badge(word, cls) { return el('span', { class: 'badge s-' + (cls || word) }, [word]); }
  // toLocale*String builds a formatter per call: with hundreds of tasks that alone froze the page.
  var TIME = new Intl.DateTimeFormat([], { hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false });
  var DATE_TIME = new Intl.DateTimeFormat([], { year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric' });
  function clock(ms) { return TIME.format(ms); }
  function dateTime(at) { return DATE_TIME.format(new Date(at)); }
  function span(ms) {
    var s = Math.abs(ms) / 1000;
    if (s < 1) return Math.round(Math.abs(ms)) + ' ms';
    if (s < 60) return (s < 10 ? s.toFixed(1) : Math.round(s)) + ' s';
    if (s < 3600) return Math.round(s / 60) + ' min';
    if (s < 86400) return (s / 3600).toFixed(1) + ' h';
    return (s / 86400).toFixed(1) + ' d';
  }
  // A time that stays true: the text is refreshed every second from data-at.
  function when(iso) {
    if (!iso) return el('span', { class: 'muted' }, ['-']);
    return el('span', { class: 'rel', 'data-at': String(new Date(iso).getTime()),
      title: dateTime(iso) }, [relative(new Date(iso).getTime())]);
  }
  function relative(ms) {
    var diff = ms - Date.now();
    return diff >= 0 ? 'in ' + span(diff) : span(diff) + ' ago';
  }
  function tick() {
    document.querySelectorAll('.rel').forEach(function (node) {
      var text = relative(Number(node.getAttribute('data-at')));
      if (node.textContent !== text) node.textContent = text;
    });
  }
  function showError(message) { fill('error', message ? [message] : []); }

  function getJson(path, params) {
    return fetch(url(path, params), { headers: { accept: 'application/json' } }).then(function (res) {
      if (!res.ok) return res.text().then(function (text) { throw new Error(res.status + ' ' + text); });
      return res.json();
    });
  }
${TASK_ROWS_SCRIPT}
${TIMELINE_SCRIPT}

  function renderFacts(status) {
    var facts = [el('span', {}, ['scheduler: ' + status.state])];
    var cluster = status.cluster;
    if (cluster) {
      facts.push(el('span', {}, ['cluster: ' + cluster.store + ', replica ' + cluster.instanceId]));
      facts.push(el('span', {}, ['store ' + (cluster.reachable ? 'reachable' : 'UNREACHABLE')]));
      facts.push(el('span', { id: 'leases' }, ['leases held here: ' +
        (cluster.leasesHeld.length ? cluster.leasesHeld.join(', ') : 'none')]));
    }
    fill('facts', facts);
  }
  function table(headers, rows) {
    return el('table', {}, [el('thead', {}, [el('tr', {}, headers.map(function (h) { return el('th', {}, [h]); }))]),
      el('tbody', {}, rows.map(function (cells) {
        return el('tr', {}, cells.map(function (c) { return el('td', {}, [c]); }));
      }))]);
  }
  function jobRow(job) {
    var took = job.startedAt && job.finishedAt ? span(new Date(job.finishedAt) - new Date(job.startedAt)) : '-';
    return [job.id, job.name, job.priority, job.executor, badge(job.status), when(job.startedAt || job.queuedAt),
      took, job.error || ''];
  }
  function renderJobs(jobs) {
    var section = document.getElementById('jobs');
    section.hidden = !jobs;
    if (!jobs) return;
    fill('pools', [table(['executor', 'slots (reserved normal / high)', 'running', 'queued: critical',
      'high', 'normal', 'low', 'delayed'], jobs.pools.map(function (p) {
      return [p.executor, p.limits.poolSize + ' (' + p.limits.reserveNormal + ' / ' + p.limits.reserveHigh + ')',
        p.running, p.queued.critical, p.queued.high, p.queued.normal, p.queued.low, p.delayed];
    }))]);
    var headers = ['id', 'name', 'priority', 'executor', 'status', 'since', 'took', 'error'];
    fill('running-jobs', [jobs.running.length ? table(headers, jobs.running.map(jobRow)) : el('p', { class: 'muted' }, ['none'])]);
    fill('recent-jobs', [jobs.recent.length ? table(headers, jobs.recent.slice(0, RECENT_JOBS_SHOWN).map(jobRow)) : el('p', { class: 'muted' }, ['none'])]);
  }

  // The panel is rebuilt on every refresh: the stacks a reader opened stay open.
  function errorDetails(record) {
    var node = el('details', { 'data-run': record.runId }, [
      el('summary', {}, [record.error.name + ': ' + record.error.message]),
      el('pre', {}, [record.error.stack || '(no stack)'])]);
    node.open = view.openRuns.has(record.runId);
    node.addEventListener('toggle', function () {
      if (node.open) view.openRuns.add(record.runId);
      else view.openRuns.delete(record.runId);
    });
    return node;
  }
  function renderPanel() {
    var panel = document.getElementById('panel');
    var detail = view.detail;
    panel.hidden = !detail;
    if (!detail) return;
    var task = detail.task;
    var replicas = detail.history.some(function (r) { return r.instanceId; });
    var history = detail.history.map(function (r) {
      var cells = [badge(STATUS_WORDS[r.status], r.status), r.origin, r.attempt,
        when(r.scheduledAt), when(r.startedAt),
        r.startedAt ? span(new Date(r.finishedAt) - new Date(r.startedAt)) : '-'];
      if (replicas) cells.push(r.instanceId || '-');
      cells.push(r.error ? errorDetails(r) : (r.result || ''));
      return cells;
    });
    var headers = ['status', 'origin', 'attempt', 'scheduled', 'started', 'took'];
    if (replicas) headers.push('replica');
    headers.push('result / error');
    // A busy task's page refreshes every second: its head, which holds the buttons, is redrawn
    // only when it changes, so that a click on them lands.
    var head = JSON.stringify([task.name, task.state, task.paused, task.triggerText, task.group]);
    if (view.panelHead !== head) {
      view.panelHead = head;
      fill('panel-head', [
        el('button', { onclick: function () { location.hash = ''; } }, ['Close']),
        el('h2', { 'data-panel-task': task.name }, [task.name, ' ', badge(task.state)]),
        el('p', {}, [task.triggerText, task.group ? ' \u00b7 group ' + task.group : '', ' \u00b7 ', actions(task)]),
      ]);
    }
    fill('panel-body', [
      el('p', {}, [counters(task)]),
      el('h3', {}, ['Upcoming fire times']),
      detail.upcoming.length ? el('ol', { id: 'upcoming' }, detail.upcoming.map(function (at) {
        return el('li', {}, [dateTime(at), ' (', when(at), ')']);
      })) : el('p', { class: 'muted' }, ['none planned']),
      el('h3', {}, ['History (newest first)']),
      history.length ? table(headers, history) : el('p', { class: 'muted' }, ['no runs yet'])]);
  }

  // A hand-edited link may carry a malformed escape: it selects nothing rather than stop the script.
  function selectedTask() {
    var match = /^#task=(.+)$/.exec(location.hash);
    try { return match ? decodeURIComponent(match[1]) : null; } catch (error) { return null; }
  }
  function refresh() {
    if (view.timer !== null) { clearTimeout(view.timer); view.timer = null; }
    if (view.inFlight) { view.again = true; return; }
    view.inFlight = true;
    view.lastStart = Date.now();
    load().then(function () {
      view.inFlight = false;
      if (view.again) { view.again = false; refreshSoon(); }
    });
  }
  function load() {
    var askedAt = Date.now();
    var name = selectedTask();
    var panelError = null;
    // The panel's task may be gone (removed): that must not stop the rest of the page refreshing.
    var detail = name ? getJson('/api/tasks/' + encodeURIComponent(name)).catch(function (error) {
      panelError = 'Task ' + name + ': ' + String(error.message || error);
      return null;
    }) : Promise.resolve(null);
    return Promise.all([getJson('/api/overview', { minutes: view.minutes }), detail]).then(function (results) {
      view.overview = results[0];
      view.detail = results[1];
      renderFacts(view.overview.status);
      renderTasks(view.overview.tasks, askedAt);
      renderTimeline(view.overview);
      renderJobs(view.overview.jobs);
      renderPanel();
      // A refresh that works clears what a failed one said (an action's failure stays).
      if (panelError !== null || view.refreshFailed) showError(panelError || '');
      view.refreshFailed = panelError !== null;
      document.body.setAttribute('data-loaded', String(Date.now()));
    }).catch(function (error) { view.refreshFailed = true; showError(String(error.message || error)); });
  }
  // Events come in bursts: one refetch per burst, and not sooner than REFRESH_GAP after the last.
  function refreshSoon() {
    if (view.inFlight) { view.again = true; return; }
    // A hidden page draws nothing: it refreshes once it is shown again.
    if (document.hidden) { view.again = true; return; }
    if (view.timer !== null) return;
    var wait = Math.max(150, view.lastStart + REFRESH_GAP - Date.now());
    view.timer = setTimeout(refresh, wait);
  }
  function setLive(on, text) {
    var node = document.getElementById('live');
    node.className = on ? 'on' : '';
    node.textContent = text;
  }

  function connect() {
    var source = new EventSource(url('/events'));
    source.addEventListener('hello', function () { setLive(true, 'live'); refreshSoon(); });
    // One message sums up the events of a moment: show the states it implies at once; the
    // refetch brings the counters and the timeline.
    source.addEventListener('tasks', function (message) {
      var batch = JSON.parse(message.data);
      Object.keys(batch.states).forEach(function (name) {
        if (batch.states[name] !== 'removed') showLiveState(name, batch.states[name]);
      });
      refreshSoon();
    });
    source.addEventListener('jobs', refreshSoon);
    source.addEventListener('bye', function () { source.close(); setLive(false, 'server stopped'); });
    source.onerror = function () { setLive(false, 'reconnecting'); };
  }

  document.getElementById('window').addEventListener('change', function (e) {
    view.minutes = Number(e.target.value);
    refresh();
  });
  window.addEventListener('hashchange', refresh);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && view.again && !view.inFlight) { view.again = false; refresh(); }
  });
  setInterval(tick, 1000);
  refresh();
  connect();
})();
`;
