// runs.js — the runs list: polls GET /api/runs every 2 s (one request at
// a time), filters by status / env / algorithm, keeps the checked runs
// across refreshes, "compare" opens the overlay of the checked runs.

import { getJSON, pageUrl } from './api.js';
import { formatNumber } from './chart.js';
import { escapeHtml, formatDuration } from './curves.js';

const POLL_MS = 2000;
const CAPABILITIES = [
  ['pause', 'P'], ['resume', 'R'], ['stop', 'S'], ['visual', 'V'], ['speed', 'Sp'],
  ['checkpoint', 'C'], ['warm_start', 'W'], ['eval', 'E'], ['live_beliefs', 'B'], ['live_episodes', 'L'],
  ['live_world', 'Wd'],
];

/** "DQN learner", "BDI", "programmed". */
export function kindText(run) {
  if (run.kind === 'learner') return `learner · ${(run.algorithm || '?').toUpperCase().replace('Q_LEARNING', 'Q-learning')}`;
  if (run.kind === 'bdi') return 'BDI';
  return run.kind || '–';
}

export function statusBadge(status) {
  return `<span class="status status-${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

export function capabilityTicks(caps) {
  return `<span class="caps">${CAPABILITIES.map(
    ([key, short]) => `<i class="${caps && caps[key] ? 'on' : 'off'}" title="${key.replace('_', ' ')}${caps && caps[key] ? '' : ' (no)'}">${short}</i>`,
  ).join('')}</span>`;
}

export class RunsList {
  constructor(root, onCount) {
    this.root = root;
    this.onCount = onCount;
    this.runs = [];
    this.selected = new Set();
    this.rows = new Map(); // run id -> {tr, box, cells}
    this.filters = { status: '', env: '', algorithm: '' };
    root.innerHTML = `
      <div class="list-bar">
        <label>status <select data-filter="status"><option value="">all</option></select></label>
        <label>env / program <select data-filter="env"><option value="">all</option></select></label>
        <label>algorithm <select data-filter="algorithm"><option value="">all</option></select></label>
        <button type="button" class="compare" disabled>compare selected</button>
        <span class="muted list-note"></span>
      </div>
      <div class="table-wrap"><table class="runs">
        <thead><tr>
          <th></th><th>run</th><th>kind</th><th>env / program</th><th>status</th>
          <th class="num">best mean</th><th class="num">last mean</th><th class="num">episodes</th>
          <th class="num">steps</th><th class="num">SPS</th><th>age</th><th>host</th>
          <th title="${CAPABILITIES.map(([k, s]) => `${s}: ${k}`).join(', ')}">capabilities</th>
        </tr></thead>
        <tbody></tbody>
      </table></div>`;
    this.body = root.querySelector('tbody');
    this.note = root.querySelector('.list-note');
    this.compareButton = root.querySelector('.compare');
    this.compareButton.onclick = () => {
      location.href = pageUrl({ compare: [...this.selected].join(',') });
    };
    for (const select of root.querySelectorAll('select[data-filter]')) {
      select.onchange = () => {
        this.filters[select.dataset.filter] = select.value;
        this.render();
      };
    }
    this.body.addEventListener('change', (e) => {
      const box = e.target.closest('input[type=checkbox]');
      if (!box) return;
      if (box.checked) this.selected.add(box.value);
      else this.selected.delete(box.value);
      this.#updateCompare();
    });
    this.poll();
  }

  async poll() {
    try {
      const answer = await getJSON('api/runs', undefined, { quiet: this.failedBefore });
      this.failedBefore = false;
      this.runs = answer.runs || [];
      this.extra = answer;
      this.render();
    } catch {
      this.failedBefore = true; // shown once in the message area; keep polling
    }
    setTimeout(() => this.poll(), POLL_MS);
  }

  #fillSelect(name, values) {
    const select = this.root.querySelector(`select[data-filter=${name}]`);
    const want = ['', ...[...new Set(values)].filter((v) => v !== null && v !== undefined && v !== '').sort()];
    const have = [...select.options].map((o) => o.value);
    if (want.join('\u0000') === have.join('\u0000')) return;
    const current = select.value;
    select.replaceChildren(
      ...want.map((v) => {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = v || 'all';
        return o;
      }),
    );
    select.value = want.includes(current) ? current : '';
    this.filters[name] = select.value;
  }

  render() {
    const runs = this.runs;
    this.#fillSelect('status', runs.map((r) => r.status));
    this.#fillSelect('env', runs.map((r) => r.target));
    this.#fillSelect('algorithm', runs.map((r) => r.algorithm || r.kind));
    const f = this.filters;
    const shown = runs.filter(
      (r) =>
        (!f.status || r.status === f.status) &&
        (!f.env || r.target === f.env) &&
        (!f.algorithm || (r.algorithm || r.kind) === f.algorithm),
    );
    const ids = new Set(runs.map((r) => r.id));
    for (const id of this.selected) if (!ids.has(id)) this.selected.delete(id);
    const now = Date.now() / 1000;
    // Rows are kept and only their changed cells rewritten, so a click or a
    // checkbox is never lost to a refresh.
    const rows = shown.map((r) => this.#row(r, now));
    const same = rows.length === this.body.children.length && rows.every((tr, i) => this.body.children[i] === tr);
    if (!same) this.body.replaceChildren(...rows);
    for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
    this.note.textContent = shown.length === runs.length ? '' : `${shown.length} of ${runs.length} shown`;
    if (!runs.length) {
      this.rows.clear();
      this.body.innerHTML = '<tr><td colspan="13" class="muted empty">no runs in this data dir yet — start one with <code>agora run CONFIG</code></td></tr>';
    }
    this.#updateCompare();
    document.body.dataset.runs = String(shown.length);
    if (this.onCount) this.onCount(runs.length, this.extra);
  }

  /** The kept row of run `r`, its cells brought up to date. */
  #row(r, now) {
    let row = this.rows.get(r.id);
    if (!row) {
      const tr = document.createElement('tr');
      tr.dataset.run = r.id;
      const first = document.createElement('td');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = r.id;
      box.setAttribute('aria-label', `select ${r.id}`);
      first.append(box);
      const cells = Array.from({ length: 12 }, () => document.createElement('td'));
      tr.append(first, ...cells);
      row = { tr, box, cells };
      this.rows.set(r.id, row);
    }
    row.box.checked = this.selected.has(r.id);
    row.tr.className = r.live ? 'live' : '';
    const age = formatDuration(now - r.started_at);
    const ended = r.ended_at ? `ran ${formatDuration(r.ended_at - r.started_at)}` : 'running';
    const html = [
      `<a href="${escapeHtml(pageUrl({ run: r.id }))}">${escapeHtml(r.id)}</a>${r.telemetry === false ? ' <span class="tag" title="--no-telemetry">fast</span>' : ''}`,
      escapeHtml(kindText(r)),
      escapeHtml(r.target || '–'),
      `${statusBadge(r.status)}${r.reason ? ` <span class="muted reason" title="${escapeHtml(r.reason)}">ⓘ</span>` : ''}`,
      formatNumber(r.best_mean_return),
      formatNumber(r.mean_return),
      formatNumber(r.episodes),
      formatNumber(r.env_steps),
      r.sps ? formatNumber(r.sps) : '–',
      `<span title="${escapeHtml(ended)}">${age}</span>`,
      escapeHtml(r.host || '–'),
      capabilityTicks(r.capabilities),
    ];
    html.forEach((h, i) => {
      const td = row.cells[i];
      if (td.dataset.html !== h) {
        td.innerHTML = h;
        td.dataset.html = h;
      }
      if (i >= 4 && i <= 8) td.className = 'num';
    });
    return row.tr;
  }

  #updateCompare() {
    const n = this.selected.size;
    this.compareButton.disabled = n < 2;
    this.compareButton.textContent = n ? `compare selected (${n})` : 'compare selected';
  }
}
