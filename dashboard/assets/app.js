// app.js — the page's entry point: picks the view from the URL (runs
// list, ?run=ID, ?compare=A,B), fills the header, installs the test and
// latency hooks, and reports uncaught errors in the message area.

import { getJSON, pageUrl, showMessage } from './api.js';
import { RunsList } from './runs.js';
import { CompareView, RunView } from './run.js';

window.__agoraLatency = [];

window.addEventListener('error', (e) => showMessage(`page error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showMessage(`page error: ${e.reason && e.reason.message ? e.reason.message : e.reason}`));

const params = new URLSearchParams(location.search);
const main = document.getElementById('main');
const where = document.getElementById('where');
const count = document.getElementById('run-count');
document.querySelector('.brand').href = pageUrl();

/** Header: the data dir (when the server tells it) and how many runs it holds. */
function header(n, answer) {
  const dir = answer && (answer.data_dir || answer.dataDir);
  if (dir) where.textContent = `data dir ${dir}`;
  count.textContent = `${n} run${n === 1 ? '' : 's'}`;
}

if (params.get('run')) {
  new RunView(main, params.get('run'));
} else if (params.get('compare')) {
  new CompareView(main, params.get('compare').split(',').map((s) => s.trim()).filter(Boolean));
} else {
  new RunsList(main, header);
}
if (params.get('run') || params.get('compare')) {
  // The header of a run page: counted once, not polled.
  getJSON('api/runs', undefined, { quiet: true }).then((a) => header((a.runs || []).length, a), () => {});
}
