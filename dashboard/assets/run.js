// run.js — the run view (?run=ID): header, controls with their confirmed
// state, fast-mode notice, curves, checkpoints (markers, table, eval /
// warm start / download panel), the live WebSocket wiring, the episode
// player, a shared BDI world's live picture, and picking recorded episodes
// off the return curve; and the compare view (?compare=A,B) that overlays
// several runs' curves.

import { ApiError, getBlob, getJSON, openLive, pageUrl, postJSON, showMessage } from './api.js';
import { formatNumber } from './chart.js';
import { COLORS, Curves, escapeHtml, formatDuration } from './curves.js';
import { EpisodePlayer } from './episode.js';
import { WorldPanel } from './world.js';
import { capabilityTicks, kindText, statusBadge } from './runs.js';

const DETAIL_MS = 10_000;
const RECORDED_MS = 30_000;
const VISUAL_FALLBACK_MS = 3000;
const LOG_KEEP = 50;
const CHECKPOINT_ROWS = 8;
/** Shortest time between two renders of the run's head for live data. */
const HEAD_MS = 250;

/** `record_episodes` from the run's TOML config ([telemetry] section), as written. */
export function recordEpisodesSetting(config) {
  let section = '';
  for (const line of String(config || '').split('\n')) {
    const header = line.match(/^\s*\[+\s*([^\]]+?)\s*\]+/);
    if (header) {
      section = header[1];
      continue;
    }
    const m = line.match(/^\s*record_episodes\s*=\s*([^#]*?)\s*(#.*)?$/);
    if (m && section === 'telemetry') return m[1];
  }
  return null;
}

/** Local time as 2026-12-03 07:52:10 (toLocaleString's first call costs the page ~30 ms). */
function fmtTime(unix) {
  if (!Number.isFinite(unix)) return '–';
  const d = new Date(unix * 1000);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class RunView {
  constructor(root, id) {
    this.root = root;
    this.id = id;
    this.path = `api/runs/${encodeURIComponent(id)}`;
    this.dropped = 0;
    this.confirmed = null; // {status, visual, speed} last confirmed by the run
    this.visualAsked = false;
    this.recorded = null;
    this.episodeCache = new Map();
    this.log = [];
    this.start();
  }

  async start() {
    this.root.innerHTML = '<p class="muted">loading run…</p>';
    // The curves are asked for together with the run, at the page's width
    // (a little more than the chart's, so no pixel column is left empty):
    // for a big run the server's read of its history is most of the wait.
    const style = getComputedStyle(this.root);
    const inner = (this.root.clientWidth || 800) - parseFloat(style.paddingLeft || 0) - parseFloat(style.paddingRight || 0);
    const width = Math.max(50, Math.round(inner));
    const firstSeries = { width, answer: getJSON(`${this.path}/series`, { x: 'steps', width }, { quiet: true }).catch(() => null) };
    try {
      this.run = await getJSON(this.path);
    } catch (e) {
      this.root.innerHTML = '';
      this.root.append(el('p', 'error-big', e instanceof ApiError ? e.message : String(e)));
      return;
    }
    document.title = `${this.run.id} — Agora`;
    this.#build(firstSeries);
    if (this.curves) {
      // The curves first: the server decimates while the rest is built,
      // and the recorded list (a big run's is a megabyte) waits for them.
      this.curves.setCheckpoints(this.run.checkpoints);
      this.curves.refetch().then(() => this.#loadRecorded());
    }
    this.#renderHead();
    this.#renderControls();
    this.#renderCheckpoints();
    if (this.run.live) this.#connect();
    this.detailTimer = setInterval(() => {
      if (this.run.live && !document.hidden) this.#refreshDetail();
    }, DETAIL_MS);
    this.recordedTimer = setInterval(() => {
      if (this.run.live && !document.hidden && this.curves) this.#loadRecorded();
    }, RECORDED_MS);
  }

  #build(firstSeries) {
    const run = this.run;
    this.root.innerHTML = '';
    this.head = el('section', 'run-head');
    this.controls = el('section', 'controls');
    this.root.append(this.head, this.controls);
    if (run.capabilities?.live_world) {
      const world = el('section', 'world');
      this.root.append(world);
      this.world = new WorldPanel(world);
    }
    if (run.telemetry === false) {
      const note = el('section', 'fast-note');
      note.textContent = 'This run ran in fast mode (--no-telemetry): no live curves exist. Its lifecycle, status and final digest are below.';
      this.root.append(note);
    } else {
      const curves = el('section', 'curves');
      this.root.append(curves);
      this.curves = new Curves(curves, [run], {
        firstSeries,
        onPick: (p) => this.#pick(p),
        onMarker: (c) => this.#openCheckpoint(c),
      });
      this.pickNote = el('div', 'pick-note muted');
      curves.querySelector('.charts-main').after(this.pickNote);
    }
    // Only learners stream and record episodes.
    if (run.telemetry !== false && run.kind === 'learner') {
      const episodes = el('section', 'episodes');
      episodes.append(el('h2', '', 'episodes'));
      const visualNote = el('div', 'muted visual-note');
      episodes.append(visualNote);
      this.visualNote = visualNote;
      const player = el('div');
      episodes.append(player);
      this.root.append(episodes);
      this.player = new EpisodePlayer(player, run);
    }
    this.cpSection = el('section', 'checkpoints');
    this.root.append(this.cpSection);
    this.panel = el('div', 'checkpoint-panel');
    this.panel.hidden = true;
    this.root.append(this.panel);
    const more = el('section', 'more');
    this.logBox = el('div', 'lifecycle muted', run.live ? 'none received since this page opened' : 'the run is not live: no events arrive');
    this.summaryBox = el('pre', 'summary');
    const details = (title, body, open = false) => {
      const d = el('details');
      d.open = open;
      d.append(el('summary', '', title), body);
      return d;
    };
    more.append(
      details('lifecycle events (live)', this.logBox, run.telemetry === false),
      details('final digest / summary', this.summaryBox, run.telemetry === false),
      details('config', el('pre', 'config', run.config || '(no config stored)')),
    );
    this.root.append(more);
  }

  #renderHead() {
    const r = this.run;
    const elapsed = (r.ended_at || Date.now() / 1000) - r.started_at;
    this.head.innerHTML = `
      <div class="run-title">
        <a href="${escapeHtml(pageUrl())}" class="back">← runs</a>
        <h1>${escapeHtml(r.id)}</h1> ${statusBadge(r.status)}
        ${r.telemetry === false ? '<span class="tag">fast mode</span>' : ''}
        <span class="dropped" ${this.dropped > 0 ? '' : 'hidden'}>dropped ${this.dropped} messages</span>
      </div>
      <div class="facts">
        <span><b>${escapeHtml(kindText(r))}</b></span>
        <span>${escapeHtml(r.target || '–')}</span>
        <span>host ${escapeHtml(r.host || '–')}</span>
        <span>started ${escapeHtml(fmtTime(r.started_at))} (${formatDuration(elapsed)}${r.ended_at ? '' : ' ago'})</span>
        <span>episodes <b>${formatNumber(r.episodes)}</b></span>
        <span>steps <b>${formatNumber(r.env_steps)}</b></span>
        <span>SPS <b>${r.sps ? formatNumber(r.sps) : '–'}</b></span>
        <span>mean return <b>${formatNumber(r.mean_return)}</b></span>
        <span>best mean <b>${formatNumber(r.best_mean_return)}</b></span>
        ${capabilityTicks(r.capabilities)}
      </div>
      ${r.reason ? `<div class="reason">${escapeHtml(r.reason)}</div>` : ''}`;
    this.summaryBox.textContent = r.summary && Object.keys(r.summary).length ? JSON.stringify(r.summary, null, 2) : '(no summary yet: the run has not ended)';
  }

  /**
   * Re-renders the head soon, at most every HEAD_MS: each render is a
   * style and layout pass, and live messages arrive hundreds of times a
   * second (on a 2-core machine that CPU is the training run's).
   */
  #headSoon() {
    if (this.headTimer) return;
    const wait = Math.max(0, HEAD_MS - (performance.now() - (this.headAt || 0)));
    this.headTimer = setTimeout(() => {
      this.headTimer = 0;
      this.headAt = performance.now();
      requestAnimationFrame(() => this.#renderHead());
    }, wait);
  }

  // ---- controls ---------------------------------------------------------

  #renderControls() {
    const caps = this.run.capabilities || {};
    this.controls.innerHTML = '';
    const row = el('div', 'control-row');
    this.buttons = {};
    const add = (command, label, value) => {
      if (!caps[command]) return;
      const b = el('button', `control control-${command}`, label);
      b.type = 'button';
      b.dataset.command = command;
      b.onclick = () => this.#send(command, typeof value === 'function' ? value() : value, b);
      this.buttons[command] = b;
      row.append(b);
    };
    add('pause', 'pause');
    add('resume', 'resume');
    add('stop', 'stop');
    add('checkpoint', 'checkpoint now');
    add('visual', 'visual', () => (this.confirmed && this.confirmed.visual ? 'off' : 'on'));
    if (caps.speed) {
      const label = el('label', 'speed-control', 'speed ');
      const slider = document.createElement('input');
      slider.type = 'range';
      slider.min = '0.05';
      slider.max = '1';
      slider.step = '0.05';
      slider.value = '1';
      const text = el('span', 'speed-value', '1');
      slider.oninput = () => {
        text.textContent = `${slider.value} (unconfirmed)`;
      };
      slider.onchange = () => this.#send('speed', Number(slider.value), slider);
      label.append(slider, text);
      this.speedSlider = slider;
      this.speedText = text;
      this.buttons.speed = slider;
      row.append(label);
    }
    this.stateText = el('span', 'control-state muted');
    this.controlError = el('span', 'control-error');
    row.append(this.stateText, this.controlError);
    if (!row.querySelector('.control, .speed-control')) row.prepend(el('span', 'muted', 'this run offers no live controls'));
    this.controls.append(row);
    if (!this.confirmed && this.run.live) this.confirmed = { status: this.run.status, visual: null, speed: null };
    this.#applyConfirmed();
  }

  async #send(command, value, control) {
    const body = { command };
    if (value !== undefined) body.value = value;
    control.classList.add('pending');
    control.disabled = true;
    if (control.tagName === 'BUTTON') control.dataset.label = control.dataset.label || control.textContent;
    if (control.tagName === 'BUTTON') control.textContent = `${control.dataset.label}…`;
    this.controlError.textContent = '';
    try {
      const answer = await postJSON(`${this.path}/control`, body, { quiet: true });
      this.#confirm(answer);
      if (command === 'checkpoint') this.#refreshDetail(); // the new checkpoint's marker
    } catch (e) {
      this.controlError.textContent = e.reason || e.message;
      showMessage(e.message);
    } finally {
      control.classList.remove('pending');
      if (control.tagName === 'BUTTON') control.textContent = control.dataset.label;
      this.#applyConfirmed();
    }
  }

  /** A confirmed state (control answer or `status` message). */
  #confirm(state) {
    const old = this.confirmed || {};
    this.confirmed = {
      status: state.status ?? old.status,
      visual: state.visual ?? old.visual,
      speed: state.speed ?? old.speed,
    };
    if (state.status) {
      this.run.status = state.status;
      this.run.live = state.status === 'running' || state.status === 'paused';
      this.#headSoon();
    }
    this.#applyConfirmed();
  }

  #applyConfirmed() {
    const c = this.confirmed || {};
    const live = this.run.live;
    const b = this.buttons || {};
    const pending = (x) => x && x.classList.contains('pending');
    const enable = (x, on) => {
      if (x && !pending(x)) x.disabled = !live || !on;
    };
    enable(b.pause, c.status !== 'paused');
    enable(b.resume, c.status === 'paused');
    enable(b.stop, true);
    enable(b.checkpoint, true);
    enable(b.visual, true);
    enable(b.speed, true);
    if (b.visual && !pending(b.visual)) {
      b.visual.dataset.label = c.visual === null || c.visual === undefined ? 'visual' : c.visual ? 'visual: on' : 'visual: off';
      b.visual.textContent = b.visual.dataset.label;
      b.visual.classList.toggle('active', !!c.visual);
    }
    if (this.speedSlider && Number.isFinite(c.speed) && !pending(this.speedSlider)) {
      this.speedSlider.value = String(c.speed);
      this.speedText.textContent = String(+c.speed.toFixed(3));
    }
    if (c.status) document.body.dataset.controlState = c.status;
    const parts = [];
    if (c.status) parts.push(`confirmed: ${c.status}`);
    if (c.visual !== null && c.visual !== undefined) parts.push(`visual ${c.visual ? 'on' : 'off'}`);
    if (Number.isFinite(c.speed)) parts.push(`speed ${+c.speed.toFixed(3)}`);
    this.stateText.textContent = live ? parts.join(' · ') : `not live (${this.run.status}): controls are off`;
    if (this.visualNote) {
      this.visualNote.textContent = !this.run.capabilities?.live_episodes && !this.run.capabilities?.visual
        ? 'this run does not stream episodes; recorded episodes can still be replayed from the return curve'
        : c.visual
          ? 'visual mode is on: live episodes stream below (a whole episode from the next one that starts)'
          : 'live episodes stream while visual mode is on; click a recorded tick on the return curve to replay one';
    }
  }

  // ---- live -------------------------------------------------------------

  #connect() {
    const ws = openLive(this.id);
    this.ws = ws;
    this.gotStatus = false;
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      this.#onMessage(msg, performance.timeOrigin + performance.now());
    };
    ws.onopen = () => {
      this.retry = 0;
      clearTimeout(this.visualTimer);
      this.visualTimer = setTimeout(() => {
        // No status message told us the visual state: ask for visual mode anyway (once).
        if (!this.gotStatus) this.#maybeVisual(false);
      }, VISUAL_FALLBACK_MS);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.run.live) {
        this.retry = Math.min(10, (this.retry || 0) + 1);
        if (this.retry > 1) showMessage(`live connection to ${this.id} closed; reconnecting`, 'info');
        setTimeout(() => this.#refreshDetail().then(() => this.run.live && this.#connect()), 1000 * this.retry);
      }
    };
  }

  #maybeVisual(visual) {
    const caps = this.run.capabilities || {};
    if (this.visualAsked || !caps.visual || !this.run.live || visual) return;
    this.visualAsked = true;
    if (this.buttons.visual) this.#send('visual', 'on', this.buttons.visual);
    else postJSON(`${this.path}/control`, { command: 'visual', value: 'on' }).then((a) => this.#confirm(a), () => {});
  }

  #onMessage(msg, arrived) {
    const r = this.run;
    switch (msg.type) {
      case 'hello':
        if (msg.run) {
          Object.assign(r, msg.run);
          this.#headSoon();
          this.#applyConfirmed();
        }
        break;
      case 'episode_summary':
        if (this.curves) this.curves.onEpisodeSummary(msg);
        r.episodes = Math.max(r.episodes || 0, msg.episode || 0);
        r.env_steps = Math.max(r.env_steps || 0, msg.env_steps || 0);
        this.#headSoon();
        break;
      case 'train':
        if (this.curves) this.curves.onTrain(msg);
        for (const k of ['sps', 'mean_return', 'best_mean_return']) if (msg[k] !== undefined && msg[k] !== null) r[k] = msg[k];
        r.env_steps = Math.max(r.env_steps || 0, msg.env_steps || 0);
        this.#headSoon();
        break;
      case 'status':
        this.gotStatus = true;
        this.#confirm(msg);
        this.#maybeVisual(msg.visual);
        if (!r.live) this.#refreshDetail();
        break;
      case 'lifecycle':
        this.#logEvent(msg);
        this.#refreshDetail();
        break;
      case 'episode':
        if (this.player) this.player.offerLive(msg, arrived);
        break;
      case 'frame':
        if (msg.world) this.world?.show(msg);
        else this.player?.showFrame(msg);
        break;
      case 'dropped':
        this.dropped = msg.count;
        this.#headSoon();
        break;
      case 'episodes_skipped':
        // The server sends a tab at most 25 whole episodes a second.
        window.__agoraEpisodesSkipped = msg.count;
        if (this.player) this.player.skipped = msg.count;
        break;
      default:
        break;
    }
  }

  #logEvent(msg) {
    this.log.push(msg);
    this.logBox.classList.remove('muted');
    if (this.log.length > LOG_KEEP) this.log.shift();
    this.logBox.replaceChildren(
      ...this.log.map((m) => {
        const detail = m.detail === undefined || m.detail === null ? '' : ` ${JSON.stringify(m.detail)}`;
        return el('div', 'log-line', `${new Date(m.at * 1000).toLocaleTimeString()} ${m.event}${m.agent ? ` (${m.agent})` : ''}${detail}`);
      }),
    );
  }

  async #refreshDetail() {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const run = await getJSON(this.path, undefined, { quiet: true });
      const wasLive = this.run.live;
      Object.assign(this.run, run);
      if (this.curves) {
        this.curves.setRun(0, this.run);
        this.curves.setCheckpoints(run.checkpoints);
        if (wasLive && !run.live) this.curves.refetch();
      }
      this.#renderHead();
      this.#renderCheckpoints();
      this.#applyConfirmed();
      if (!run.live && this.ws) this.ws.close();
    } catch {
      // keep the last known state; the next refresh tries again
    } finally {
      this.refreshing = false;
    }
  }

  // ---- checkpoints ------------------------------------------------------

  #renderCheckpoints() {
    const list = this.run.checkpoints || [];
    this.cpSection.innerHTML = '<h2>checkpoints</h2>';
    if (!list.length) {
      this.cpSection.append(el('p', 'muted', 'no checkpoints yet'));
      return;
    }
    const table = el('table', 'cp-table');
    table.innerHTML = '<thead><tr><th>#</th><th>agent</th><th>tag</th><th class="num">env steps</th><th>saved</th><th class="num">bytes</th><th></th></tr></thead>';
    const body = el('tbody');
    // Newest first; a long run's older checkpoints behind "show all".
    const newest = [...list].reverse();
    const shown = this.allCheckpoints ? newest : newest.slice(0, CHECKPOINT_ROWS);
    for (const c of shown) {
      const tr = el('tr');
      tr.innerHTML = `<td>${c.sequence}</td><td>${escapeHtml(c.agent)}</td><td>${c.tag ? `<span class="tag tag-${escapeHtml(c.tag)}">${escapeHtml(c.tag)}</span>` : ''}</td>
        <td class="num">${formatNumber(c.env_steps)}</td><td>${escapeHtml(fmtTime(c.at))}</td><td class="num">${formatNumber(c.bytes)}</td>`;
      const td = el('td');
      const open = el('button', 'small', 'open');
      open.type = 'button';
      open.onclick = () => this.#openCheckpoint(c);
      td.append(open);
      tr.append(td);
      body.append(tr);
    }
    table.append(body);
    this.cpSection.append(table);
    if (newest.length > CHECKPOINT_ROWS) {
      const more = el('button', 'small', this.allCheckpoints ? 'show the newest only' : `show all ${newest.length}`);
      more.type = 'button';
      more.onclick = () => {
        this.allCheckpoints = !this.allCheckpoints;
        this.#renderCheckpoints();
      };
      this.cpSection.append(more);
    }
  }

  #openCheckpoint(c) {
    const caps = this.run.capabilities || {};
    const p = this.panel;
    const base = `${this.path}/checkpoints/${encodeURIComponent(c.sequence)}`;
    p.hidden = false;
    p.innerHTML = '';
    const close = el('button', 'dismiss', '×');
    close.type = 'button';
    close.onclick = () => {
      p.hidden = true;
    };
    p.append(
      close,
      el('h3', '', `checkpoint #${c.sequence}${c.tag ? ` (${c.tag})` : ''}`),
      el('div', 'muted', `${c.agent} · env steps ${formatNumber(c.env_steps)} · ${fmtTime(c.at)} · ${formatNumber(c.bytes)} bytes`),
    );
    const buttons = el('div', 'panel-buttons');
    const result = el('div', 'panel-result');
    if (caps.eval) {
      const episodes = document.createElement('input');
      episodes.type = 'number';
      episodes.min = '1';
      episodes.max = '1000';
      episodes.value = '10';
      episodes.className = 'eval-episodes';
      episodes.title = 'episodes';
      const b = el('button', 'eval-button', 'Eval');
      b.type = 'button';
      b.onclick = async () => {
        b.disabled = true;
        b.textContent = 'evaluating…';
        result.textContent = '';
        delete result.dataset.eval;
        try {
          const a = await postJSON(`${base}/eval`, { episodes: Number(episodes.value) || 10 }, { quiet: true });
          const text = `mean ${formatNumber(a.mean_return)} · min ${formatNumber(a.min_return)} · max ${formatNumber(a.max_return)} · success ${a.success_rate === null || a.success_rate === undefined ? '–' : `${formatNumber(a.success_rate * 100)}%`} · ${a.episodes} episodes`;
          result.className = 'panel-result eval-result';
          result.textContent = text;
          result.dataset.eval = text;
        } catch (e) {
          this.#checkpointFailed(result, e);
        } finally {
          b.disabled = false;
          b.textContent = 'Eval';
        }
      };
      const label = el('label', 'muted', ' episodes ');
      label.append(episodes);
      buttons.append(b, label);
    }
    if (caps.warm_start) {
      const b = el('button', 'warm-button', 'Warm start');
      b.type = 'button';
      b.onclick = async () => {
        b.disabled = true;
        try {
          const a = await postJSON(`${base}/warm-start`, {}, { quiet: true });
          result.className = 'panel-result';
          result.textContent = `started pid ${a.pid}: ${a.command}`;
        } catch (e) {
          this.#checkpointFailed(result, e);
        } finally {
          b.disabled = false;
        }
      };
      buttons.append(b);
    }
    // Fetched first, so a checkpoint pruned since the markers were drawn
    // gets the server's reason in the page, not a failed download.
    const download = el('button', 'download-button', 'Download');
    download.type = 'button';
    download.onclick = async () => {
      download.disabled = true;
      try {
        const bytes = await getBlob(`${base}/download`, { quiet: true });
        const link = el('a');
        link.href = URL.createObjectURL(bytes);
        link.download = `${this.run.id}-checkpoint-${c.sequence}.bin`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      } catch (e) {
        this.#checkpointFailed(result, e);
      } finally {
        download.disabled = false;
      }
    };
    buttons.append(download);
    p.append(buttons, result);
  }

  /** A checkpoint action failed: the reason in the panel; a 404 (pruned meanwhile) redraws the markers. */
  #checkpointFailed(result, e) {
    result.className = 'panel-result error';
    result.textContent = e.reason || e.message;
    showMessage(e.message);
    if (e.status === 404) this.#refreshDetail();
  }

  // ---- recorded episodes ------------------------------------------------

  async #loadRecorded() {
    try {
      const a = await getJSON(`${this.path}/recorded`, undefined, { quiet: this.recorded !== null });
      this.recorded = a.episodes || [];
      this.curves.setRecorded(0, this.recorded);
    } catch {
      if (this.recorded === null) this.recorded = [];
    }
  }

  async #pick({ point, recorded }) {
    if (!this.recorded) await this.#loadRecorded();
    const setting = recordEpisodesSetting(this.run.config);
    if (recorded) {
      const n = recorded.episode;
      this.pickNote.textContent = `loading recorded episode ${n}…`;
      try {
        let ep = this.episodeCache.get(n);
        if (!ep) {
          ep = await getJSON(`${this.path}/episodes/${encodeURIComponent(n)}`, undefined, { quiet: true });
          this.episodeCache.set(n, ep);
        }
        this.player?.load(ep, 'recorded', true);
        this.pickNote.textContent = `replaying recorded episode ${n} (return ${formatNumber(recorded.return)}) in the player below`;
      } catch (e) {
        this.pickNote.textContent = e.reason || e.message;
      }
      return;
    }
    if (!point) return;
    const which = point.episode ? `episode ${point.episode}` : `the episode at ${this.curves.xMode === 'steps' ? 'env step' : 'time'} ${formatNumber(point.x)}`;
    const text = `${which} (return ${formatNumber(point.y)}) was not recorded (record_episodes = ${setting ?? 'the default, "every:100+best"'})`;
    this.pickNote.textContent = text;
    this.player?.say(text);
  }
}

/** The compare view: several runs' curves overlaid, each in its colour. */
export class CompareView {
  constructor(root, ids) {
    this.root = root;
    this.ids = ids;
    this.start();
  }

  async start() {
    this.root.innerHTML = '<p class="muted">loading runs…</p>';
    const runs = [];
    for (const id of this.ids) {
      try {
        runs.push(await getJSON(`api/runs/${encodeURIComponent(id)}`));
      } catch {
        // shown in the message area; compare the rest
      }
    }
    this.root.innerHTML = '';
    const head = el('section', 'run-head');
    head.innerHTML = `<div class="run-title"><a href="${escapeHtml(pageUrl())}" class="back">← runs</a><h1>compare ${runs.length} runs</h1></div>`;
    const table = el('table', 'runs compare-table');
    table.innerHTML = `<thead><tr><th></th><th>run</th><th>kind</th><th>env / program</th><th>status</th><th class="num">best mean</th><th class="num">last mean</th><th class="num">steps</th></tr></thead><tbody>${runs
      .map(
        (r, i) => `<tr><td><i class="swatch" style="background:${COLORS[i % COLORS.length]}"></i></td>
          <td><a href="${escapeHtml(pageUrl({ run: r.id }))}">${escapeHtml(r.id)}</a></td><td>${escapeHtml(kindText(r))}</td>
          <td>${escapeHtml(r.target || '–')}</td><td>${statusBadge(r.status)}</td><td class="num">${formatNumber(r.best_mean_return)}</td>
          <td class="num">${formatNumber(r.mean_return)}</td><td class="num">${formatNumber(r.env_steps)}</td></tr>`,
      )
      .join('')}</tbody>`;
    head.append(table);
    const curves = el('section', 'curves');
    this.root.append(head, curves);
    const withCurves = runs.filter((r) => r.telemetry !== false);
    if (withCurves.length < runs.length) {
      showMessage(`${runs.length - withCurves.length} of the runs ran in fast mode (--no-telemetry): no curves exist for them`, 'info');
    }
    if (!withCurves.length) return;
    const colors = withCurves.map((r) => COLORS[runs.indexOf(r) % COLORS.length]);
    this.curves = new Curves(curves, withCurves, { compare: true, colors });
    this.curves.refetch();
    for (const [i, r] of withCurves.entries()) {
      getJSON(`api/runs/${encodeURIComponent(r.id)}/recorded`, undefined, { quiet: true })
        .then((a) => this.curves.setRecorded(i, a.episodes || []))
        .catch(() => {});
    }
    // Keep `live` current so the curves re-fetch while any run goes on.
    this.timer = setInterval(async () => {
      for (const [i, { run: r }] of this.curves.runs.entries()) {
        if (!r.live) continue;
        try {
          this.curves.setRun(i, await getJSON(`api/runs/${encodeURIComponent(r.id)}`, undefined, { quiet: true }));
        } catch {
          // try again next time
        }
      }
    }, DETAIL_MS);
  }
}
