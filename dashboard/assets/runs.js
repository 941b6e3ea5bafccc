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
    this.body.innerHTML = shown
      .map((r) => {
        const age = formatDuration(now - r.started_at);
        const ended = r.ended_at ? `ran ${formatDuration(r.ended_at - r.started_at)}` : 'running';
        return `<tr class="${r.live ? 'live' : ''}" data-run="${escapeHtml(r.id)}">
          <td><input type="checkbox" value="${escapeHtml(r.id)}" ${this.selected.has(r.id) ? 'checked' : ''} aria-label="select ${escapeHtml(r.id)}"></td>
          <td><a href="${escapeHtml(pageUrl({ run: r.id }))}">${escapeHtml(r.id)}</a>${r.telemetry === false ? ' <span class="tag" title="--no-telemetry">fast</span>' : ''}</td>
          <td>${escapeHtml(kindText(r))}</td>
          <td>${escapeHtml(r.target || '–')}</td>
          <td>${statusBadge(r.status)}${r.reason ? ` <span class="muted reason" title="${escapeHtml(r.reason)}">ⓘ</span>` : ''}</td>
          <td class="num">${formatNumber(r.best_mean_return)}</td>
          <td class="num">${formatNumber(r.mean_return)}</td>
          <td class="num">${formatNumber(r.episodes)}</td>
          <td class="num">${formatNumber(r.env_steps)}</td>
          <td class="num">${r.live ? formatNumber(r.sps) : '–'}</td>
          <td title="${escapeHtml(ended)}">${age}</td>
          <td>${escapeHtml(r.host || '–')}</td>
          <td>${capabilityTicks(r.capabilities)}</td>
        </tr>`;
      })
      .join('');
    this.note.textContent = shown.length === runs.length ? '' : `${shown.length} of ${runs.length} shown`;
    if (!runs.length) {
      this.body.innerHTML = '<tr><td colspan="13" class="muted empty">no runs in this data dir yet — start one with <code>agora run CONFIG</code></td></tr>';
    }
    this.#updateCompare();
    document.body.dataset.runs = String(shown.length);
    if (this.onCount) this.onCount(runs.length, this.extra);
  }

  #updateCompare() {
    const n = this.selected.size;
    this.compareButton.disabled = n < 2;
    this.compareButton.textContent = n ? `compare selected (${n})` : 'compare selected';
  }
}
