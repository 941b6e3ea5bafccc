// curves.js — the curves of one run (or several overlaid, compare mode):
// fetches the decimated series at the charts' pixel width, appends live
// points, redraws at most once per animation frame, re-fetches every ~10 s
// or when the live buffer passes 4× the width, zoom by drag, x axis
// steps/wall, checkpoint markers and recorded-episode ticks on the return chart.

import { getJSON, showMessage } from './api.js';
import { Chart, formatNumber } from './chart.js';
import { LocalSeries, xBounds } from './series.js';

export const COLORS = ['#1f6fd1', '#d1521f', '#2a9d55', '#8a4fd1', '#c79a00', '#d13f8a', '#3aa6b9', '#555'];
const METRIC_ORDER = [
  'td_loss', 'q_mean', 'q_values', 'policy_loss', 'value_loss', 'entropy', 'approx_kl',
  'clip_fraction', 'explained_variance', 'grad_norm', 'epsilon', 'learning_rate',
  'sps', 'steps_per_second', 'mean_return', 'best_mean_return',
];
const TITLES = { return: 'episode return', length: 'episode length' };
// Counters and copies, not curves worth a chart: iterations, updates, and
// last_return (the return chart has every episode).
const HIDDEN = new Set(['iterations', 'updates', 'last_return']);
const REFETCH_MS = 10_000;
const BUFFER_FACTOR = 4;
/** Shortest time between two redraws of the charts for live data. */
const LIVE_REDRAW_MS = 500;
const PICK_PX = 6;

/** Seconds as "12.3 s", "4m 05s", "1h 02m". */
export function formatDuration(s) {
  if (!Number.isFinite(s)) return '–';
  const sign = s < 0 ? '-' : '';
  s = Math.abs(s);
  if (s < 60) return `${sign}${+s.toFixed(s < 10 ? 1 : 0)}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${sign}${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function shift(xs, by) {
  return by ? xs.map((v) => v - by) : xs;
}

/** A server Series with its x values moved by `-offset`. */
function shifted(series, offset) {
  if (!offset) return series;
  const out = { ...series };
  if (series.points) out.points = { x: shift(series.points.x, offset), y: series.points.y };
  if (series.columns) out.columns = { ...series.columns, x: shift(series.columns.x, offset) };
  if (series.smooth) out.smooth = { x: shift(series.smooth.x, offset), y: series.smooth.y };
  return out;
}

export class Curves {
  /**
   * `root`: element to build in; `runs`: Run objects (one, or several to
   * compare); `options.onPick({run, point, recorded})` on a click on the
   * return chart, `options.onMarker(checkpoint)` on a checkpoint marker.
   */
  constructor(root, runs, options = {}) {
    this.root = root;
    this.options = options;
    this.compare = options.compare ?? runs.length > 1;
    // Each run's colour (compare mode): options.colors, else by position.
    this.colors = runs.map((_, i) => (options.colors && options.colors[i]) || COLORS[i % COLORS.length]);
    this.runs = runs.map((run) => ({ run, series: new Map(), offset: 0, recorded: [], fetched: false }));
    this.xMode = 'steps';
    this.zoom = null; // [from, to] in displayed x (wall: seconds since the run's start)
    this.charts = new Map();
    this.checkpoints = [];
    this.fetching = false;
    this.again = false;
    // An answer asked for before the charts existed ({width, answer: Promise}),
    // used by the first fetch when it fits the chart's width.
    this.firstSeries = options.firstSeries || null;
    this.frame = 0;
    this.#build();
    this.timer = setInterval(() => {
      if (!document.hidden && this.runs.some((r) => r.run.live)) this.refetch();
    }, REFETCH_MS);
    this.lastWidth = 0;
    window.addEventListener('resize', () => {
      const w = this.width();
      if (Math.abs(w - this.lastWidth) > this.lastWidth * 0.1) this.refetch();
      this.scheduleDraw();
    });
  }

  #build() {
    const bar = document.createElement('div');
    bar.className = 'curve-bar';
    bar.innerHTML = `
      <span class="label">x axis</span>
      <label><input type="radio" name="xmode" value="steps" checked> env steps</label>
      <label><input type="radio" name="xmode" value="wall"> wall time</label>
      <button type="button" class="reset-zoom" disabled>reset zoom</button>
      <span class="zoom-note muted">drag on a chart to zoom, double-click to reset</span>`;
    for (const input of bar.querySelectorAll('input[name=xmode]')) {
      input.addEventListener('change', () => {
        this.xMode = input.value;
        this.zoom = null;
        for (const r of this.runs) r.series.clear();
        this.refetch();
      });
    }
    this.resetButton = bar.querySelector('.reset-zoom');
    this.resetButton.onclick = () => this.setZoom(null);
    this.zoomNote = bar.querySelector('.zoom-note');
    this.legend = document.createElement('div');
    this.legend.className = 'legend';
    if (this.compare) {
      this.legend.innerHTML = this.runs
        .map((r, i) => `<span><i style="background:${this.colors[i]}"></i>${escapeHtml(r.run.id)}</span>`)
        .join('');
    }
    this.main = document.createElement('div');
    this.main.className = 'charts-main';
    this.grid = document.createElement('div');
    this.grid.className = 'charts-grid';
    this.root.append(bar, this.legend, this.main, this.grid);
    this.#chart('return');
    this.#chart('length');
  }

  #chart(name) {
    let chart = this.charts.get(name);
    if (chart) return chart;
    const box = document.createElement('div');
    box.className = `chart chart-${name === 'return' ? 'return' : name === 'length' ? 'length' : 'metric'}`;
    const canvas = document.createElement('canvas');
    canvas.dataset.series = name;
    if (name === 'return') canvas.id = 'return-chart';
    box.append(canvas);
    if (name === 'return' || name === 'length') {
      this.main.append(box);
    } else {
      const order = (n) => {
        const i = METRIC_ORDER.indexOf(n);
        return i < 0 ? METRIC_ORDER.length : i;
      };
      const after = [...this.grid.children].find((c) => {
        const other = c.firstChild.dataset.series;
        return order(other) > order(name) || (order(other) === order(name) && other > name);
      });
      this.grid.insertBefore(box, after || null);
    }
    chart = new Chart(canvas, {
      title: TITLES[name] || name.replace(/_/g, ' '),
      xFormat: (v) => (this.xMode === 'wall' ? formatDuration(v) : formatNumber(v)),
      onZoom: (a, b) => this.setZoom([a, b]),
      onReset: () => this.setZoom(null),
      onPick: name === 'return' ? (p) => this.#pick(p) : undefined,
      onMarker: name === 'return' ? (m) => this.options.onMarker && this.options.onMarker(m.data) : undefined,
    });
    this.charts.set(name, chart);
    return chart;
  }

  /** The pixel width the server decimates to. */
  width() {
    return this.charts.get('return').plotWidth();
  }

  setZoom(range) {
    if (range && !(range[1] > range[0])) return;
    this.zoom = range;
    this.resetButton.disabled = !range;
    this.zoomNote.textContent = range
      ? `zoomed to ${this.#fmtX(range[0])} – ${this.#fmtX(range[1])}`
      : 'drag on a chart to zoom, double-click to reset';
    for (const r of this.runs) for (const s of r.series.values()) s.extra = { x: [], y: [], episode: [] };
    this.refetch();
  }

  #fmtX(v) {
    return this.xMode === 'wall' ? formatDuration(v) : formatNumber(v);
  }

  /** Fetches every run's series now (one fetch at a time; a request meanwhile runs after it). */
  async refetch() {
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    try {
      const width = this.width();
      this.lastWidth = width;
      await Promise.all(this.runs.map((r) => this.#fetchRun(r, width)));
    } finally {
      this.fetching = false;
      this.scheduleDraw();
      if (this.again) {
        this.again = false;
        this.refetch();
      }
    }
  }

  async #fetchRun(r, width) {
    const query = { x: this.xMode, width };
    if (this.zoom) {
      query.from = this.zoom[0] + r.offset;
      query.to = this.zoom[1] + r.offset;
    }
    let answer = await this.#firstAnswer(r, width);
    if (!answer) {
      try {
        answer = await getJSON(`api/runs/${encodeURIComponent(r.run.id)}/series`, query);
      } catch {
        return; // shown in the message area
      }
    }
    const range = answer.range || null;
    if (this.xMode === 'wall') {
      // Wall x may be Unix seconds or seconds since the start: show the latter.
      r.offset = range && Math.max(Math.abs(range[0]), Math.abs(range[1])) > 1e8 ? r.run.started_at : 0;
    } else {
      r.offset = 0;
    }
    const end = range ? range[1] - r.offset : -Infinity;
    const seen = new Set();
    for (const [name, series] of Object.entries(answer.series || {})) {
      seen.add(name);
      let local = r.series.get(name);
      if (!local) {
        local = new LocalSeries();
        r.series.set(name, local);
      }
      local.setBase(shifted(series, r.offset), end, !this.zoom);
      if (!HIDDEN.has(name)) this.#chart(name);
    }
    for (const [name, local] of r.series) if (!seen.has(name)) local.setBase(null, end, !this.zoom);
    if (answer.bad_lines > 0 && !r.warnedBad) {
      r.warnedBad = true;
      showMessage(`${r.run.id}: ${answer.bad_lines} lines of events.jsonl did not parse`, 'info');
    }
    r.fetched = true;
  }

  /** The early answer, once, when it is for run 0 and as wide as the chart or up to 25% wider. */
  async #firstAnswer(r, width) {
    const first = this.firstSeries;
    this.firstSeries = null;
    if (!first || r !== this.runs[0] || this.zoom || this.xMode !== 'steps') return null;
    if (first.width < width || first.width > width * 1.25) return null;
    return first.answer;
  }

  /** Live `episode_summary` of run 0. */
  onEpisodeSummary(msg) {
    const x = this.#liveX(msg);
    if (x === null) return;
    this.#append('return', x, msg.episode_return, msg.episode);
    this.#append('length', x, msg.length, msg.episode);
    this.#afterAppend();
  }

  /** Live `train` message of run 0: every metric the server also has a series of. */
  onTrain(msg) {
    const x = this.#liveX(msg);
    if (x === null) return;
    const series = this.runs[0].series;
    for (const [key, value] of Object.entries(msg)) {
      if (typeof value === 'number' && series.has(key) && key !== 'return' && key !== 'length') {
        this.#append(key, x, value, null);
      }
    }
    this.#afterAppend();
  }

  #liveX(msg) {
    if (this.zoom) return null; // a zoomed view shows what the server had
    const r = this.runs[0];
    if (this.xMode === 'steps') return Number.isFinite(msg.env_steps) ? msg.env_steps : null;
    return Number.isFinite(msg.at) ? msg.at - r.run.started_at : null;
  }

  #append(name, x, y, episode) {
    const r = this.runs[0];
    let local = r.series.get(name);
    if (!local) {
      local = new LocalSeries();
      r.series.set(name, local);
      if (!HIDDEN.has(name)) this.#chart(name);
    }
    local.append(x, y, episode);
  }

  #afterAppend() {
    const limit = BUFFER_FACTOR * this.width();
    if ([...this.runs[0].series.values()].some((s) => s.buffered() > limit)) this.refetch();
    this.scheduleDraw();
  }

  /** Checkpoints of run 0, drawn as markers on the return chart. */
  setCheckpoints(list) {
    this.checkpoints = list || [];
    this.scheduleDraw();
  }

  /** Recorded episodes of run `i`, drawn as small ticks under the return curve. */
  setRecorded(i, list) {
    this.runs[i].recorded = list || [];
    this.runs[i].rug = null;
    this.scheduleDraw();
  }

  /** x of run `r`'s recorded episodes on the current axis, ascending; kept until they or the axis change. */
  #rugX(r) {
    if (r.rug && r.rug.mode === this.xMode) return r.rug.xs;
    const xs = r.recorded.map((e) => this.#recordedX(r, e)).filter((v) => v !== null && Number.isFinite(v));
    xs.sort((a, b) => a - b);
    r.rug = { mode: this.xMode, xs: Float64Array.from(xs) };
    return r.rug.xs;
  }

  /** Tells the curves run `i` changed (live or not). */
  setRun(i, run) {
    this.runs[i].run = run;
  }

  #recordedX(r, e) {
    if (this.xMode === 'steps') return e.env_steps;
    return Number.isFinite(e.at) ? e.at - r.run.started_at : null;
  }

  #pick(p) {
    const chart = this.charts.get('return');
    const { x: sx, y: sy } = chart.scales;
    let best = null;
    this.runs.forEach((r) => {
      // A recorded episode's tick near the click wins: that is what the click aimed at.
      for (const e of r.recorded) {
        const ex = this.#recordedX(r, e);
        if (ex === null) continue;
        const d = Math.abs(sx(ex) - p.px);
        if (d <= PICK_PX && (!best || !best.recorded || d < best.d)) best = { run: r.run, recorded: e, d, point: null };
      }
    });
    if (!best) {
      this.runs.forEach((r) => {
        const s = r.series.get('return');
        const n = s && s.nearest(p.px, p.py, sx, sy);
        if (!n) return;
        const d = Math.hypot(sx(n.x) - p.px, (sy(n.y) - p.py) / 4);
        if (!best || d < best.d) {
          const same = r.recorded.find((e) => (n.episode !== null && e.episode === n.episode) || this.#recordedX(r, e) === n.x);
          best = { run: r.run, point: n, recorded: same || null, d };
        }
      });
    }
    if (best && this.options.onPick) this.options.onPick(best);
  }

  /**
   * Redraws with the next paint, at most every LIVE_REDRAW_MS: live data
   * arrives hundreds of times a second, and redrawing every chart that
   * often would take the CPU the training run needs.
   */
  scheduleDraw() {
    // Bench hook: one synchronous redraw of every chart (bench/dashboard).
    window.__agoraRedraw = (only) => this.draw(only);
    if (this.frame || this.waiting) return;
    const wait = LIVE_REDRAW_MS - (performance.now() - (this.drawnAt || 0));
    const paint = () => {
      this.waiting = 0;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.drawnAt = performance.now();
        this.draw();
      });
    };
    if (wait > 0) this.waiting = setTimeout(paint, wait);
    else paint();
  }

  /** Redraws every chart, or only the one called `only`. */
  draw(only) {
    const all = this.runs.flatMap((r) => [...r.series.values()]);
    const bounds = this.zoom || xBounds(all);
    let points = 0;
    for (const [name, chart] of this.charts) {
      if (only && name !== only) continue;
      const layers = [];
      this.runs.forEach((r, i) => {
        const s = r.series.get(name);
        if (!s) return;
        const color = this.compare ? this.colors[i] : name === 'return' ? COLORS[0] : name === 'length' ? COLORS[2] : COLORS[7];
        layers.push(...s.layers(color, { dots: name === 'return' || name === 'length', lastLine: !this.compare }));
        if (name === 'return') points += s.count();
      });
      const data = { layers, xDomain: bounds || undefined, empty: this.runs.some((r) => r.fetched) ? 'no points yet' : 'loading…' };
      if (name === 'return') {
        data.markers = this.compare ? [] : this.#markers();
        data.rug = this.runs.map((r, i) => ({ xs: this.#rugX(r), color: this.compare ? this.colors[i] : '#8a4fd1' }));
      }
      chart.setData(data);
      chart.draw();
      if (name === 'return') chart.canvas.dataset.curvePoints = String(points);
    }
  }

  #markers() {
    const r = this.runs[0];
    return this.checkpoints
      .map((c) => {
        const x = this.xMode === 'steps' ? c.env_steps : Number.isFinite(c.at) ? c.at - r.run.started_at : null;
        if (x === null || x === undefined) return null;
        return { x, color: c.tag === 'best' ? '#e08a00' : '#5b6b8c', label: `#${c.sequence}`, data: c };
      })
      .filter(Boolean);
  }

  destroy() {
    clearInterval(this.timer);
  }
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
