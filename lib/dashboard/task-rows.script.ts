// Part of the page's script (see dashboard.script.ts, which inlines it in its closure and defines
// the helpers used here: el, badge, when, view, refresh...). Same rules: a raw string with no
// backtick and no dollar-brace.
/**
 * The task table (one row per task, made once, whose cells are redrawn only when they change), the
 * actions, and the cell helpers the task panel shares.
 */
export const TASK_ROWS_SCRIPT = String.raw`
  function act(action, name) {
    var label = { run: 'Run', pause: 'Pause', resume: 'Resume' }[action];
    if (!window.confirm(label + ' task "' + name + '"?')) return;
    fetch(url('/api/tasks/' + encodeURIComponent(name) + '/' + action), {
      method: 'POST', headers: { 'x-aioclock-dashboard': '1' },
    }).then(function (res) {
      if (!res.ok) return res.text().then(function (text) { showError(label + ' failed: ' + res.status + ' ' + text); });
      showError('');
      // The answer is the task as the action left it: its row shows it now, not after a refetch.
      return res.json().then(function (task) { showChange(task); refresh(); });
    });
  }
  function actions(task) {
    var name = task.name;
    return el('span', {}, [
      el('button', { 'data-action': 'run', onclick: function () { act('run', name); } }, ['Run now']),
      task.paused
        ? el('button', { 'data-action': 'resume', onclick: function () { act('resume', name); } }, ['Resume'])
        : el('button', { 'data-action': 'pause', onclick: function () { act('pause', name); } }, ['Pause']),
    ]);
  }
  function counters(task) {
    var parts = Object.keys(task.counters).filter(function (key) { return task.counters[key] > 0; })
      .map(function (key) { return task.counters[key] + ' ' + STATUS_WORDS[key]; });
    return el('span', { class: 'counters' }, [parts.length ? parts.join(' \u00b7 ') : '-']);
  }
  function outcome(run) {
    if (!run) return el('span', { class: 'muted' }, ['never ran']);
    return el('span', { title: run.error ? run.error.name + ': ' + run.error.message : null }, [
      badge(STATUS_WORDS[run.status], run.status), ' ', when(run.finishedAt),
      run.instanceId ? el('span', { class: 'muted' }, [' on ' + run.instanceId]) : null,
    ]);
  }

  // The cells of a task row: a class, a key that changes when what the cell shows changes, and how
  // to draw it. Busy tasks change every second: redrawing a few cells, not the row, keeps a refresh
  // cheap and keeps the buttons the nodes a user is clicking (a click whose button was replaced
  // between press and release is lost).
  var CELLS = [
    { key: function (t) { return t.name; },
      draw: function (t) { return el('a', { href: '#task=' + encodeURIComponent(t.name) }, [t.name]); } },
    { key: function (t) { return t.group; }, draw: function (t) { return t.group || '-'; } },
    { cls: 'trigger', key: function (t) { return t.triggerText; }, draw: function (t) { return t.triggerText; } },
    { cls: 'state', key: function (t) { return t.state; }, draw: function (t) { return badge(t.state); } },
    { cls: 'next', key: function (t) { return t.nextRunAt; }, draw: function (t) { return when(t.nextRunAt); } },
    { cls: 'last', key: function (t) { return JSON.stringify(t.lastRun); }, draw: function (t) { return outcome(t.lastRun); } },
    { cls: 'num', key: function (t) { return JSON.stringify(t.counters); }, draw: counters },
    { key: function (t) { return t.paused; }, draw: actions },
  ];
  // A task's row, made once: its cells, the key each shows, the task it shows, and when an action
  // or the stream last changed it (changedAt).
  function rowOf(name) {
    var row = view.rows.get(name);
    if (row) return row;
    var cells = CELLS.map(function (cell) { return el('td', { class: cell.cls, role: 'cell' }); });
    var node = el('tr', { 'data-task': name, role: 'row' }, cells);
    row = { node: node, cells: cells, keys: [], task: null, changedAt: 0 };
    view.rows.set(name, row);
    return row;
  }
  function showTask(row, task) {
    row.task = task;
    CELLS.forEach(function (cell, i) {
      var key = String(cell.key(task));
      if (row.keys[i] === key) return;
      row.keys[i] = key;
      row.cells[i].replaceChildren(cell.draw(task));
    });
  }
  // An action's answer, or a pause or resume seen live: an overview asked for before it must not
  // undo it (it may have been computed before), so the row skips those.
  function showChange(task) {
    var row = view.rows.get(task.name);
    if (!row) return;
    showTask(row, task);
    row.changedAt = Date.now();
  }
  function renderTasks(tasks, askedAt) {
    var body = document.getElementById('task-rows');
    var names = new Set();
    var nodes = tasks.map(function (task) {
      var row = rowOf(task.name);
      names.add(task.name);
      if (row.changedAt < askedAt) showTask(row, task);
      return row.node;
    });
    view.rows.forEach(function (row, name) { if (!names.has(name)) view.rows.delete(name); });
    // Rows move only when tasks come, go or change order: moving rows lays the table out again.
    var same = body.children.length === nodes.length && nodes.every(function (node, i) {
      return body.children[i] === node;
    });
    if (!same) body.replaceChildren.apply(body, nodes);
  }

  // What a state the stream reports says of the rest of the task.
  var LIVE_STATES = { running: { running: true }, paused: { paused: true }, idle: { paused: false } };
  function showLiveState(name, state) {
    var row = view.rows.get(name);
    if (!row || !row.task) return;
    var task = Object.assign({}, row.task, LIVE_STATES[state], { state: state });
    // A run starting is no change to protect: the overview that follows says more.
    if (state === 'running') showTask(row, task);
    else showChange(task);
  }
`;
