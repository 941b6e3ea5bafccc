// episode.js — the episode player: replays one episode (live from the
// WebSocket, or a recorded one) step by step at a chosen speed with
// play/pause, step and scrub; shows action, reward, epsilon and the bars of
// `values`; keeps window.__agoraLatency for live episodes; and keeps a
// small "now" canvas showing whichever came last: a visual-mode `frame`
// (env 0 mid-episode, with its board text) or the newest episode's end.

import { drawBars, drawObservation } from './render.js';
import { fitCanvas, formatNumber } from './chart.js';

const LATENCY_KEEP = 20_000;
/**
 * Frames a second the player draws at most; faster playback skips steps.
 * Every frame costs a headless tab ~5 ms of rendering, and 50 of them a
 * second took a visible share of a 2-core machine's training run.
 */
const MAX_FPS = 20;
/** Shortest time between two paints of the newest arrived episode. */
const NOW_PAINT_MS = 100;
/** Frames are not drawn within this long of an episode's arrival. */
const FRAMES_YIELD_MS = 1000;
/** An arrival not painted is painted after this long if no newer one came. */
const NOW_CATCH_UP_MS = 300;

function now() {
  return performance.timeOrigin + performance.now();
}

export class EpisodePlayer {
  /** `root`: element to build in; `run`: the Run (env, algorithm). */
  constructor(root, run) {
    this.run = run;
    this.episode = null;
    this.index = 0;
    this.playing = false;
    this.pending = null; // the newest live episode waiting for the current one to end
    this.arrivedPaint = null; // the newest arrived episode, drawn with the next paint
    this.finished = false; // playback reached the end by itself (so the next live episode may start)
    this.timer = 0;
    root.innerHTML = `
      <div class="player">
        <div class="player-view">
          <canvas id="episode-canvas" class="episode-canvas"></canvas>
          <div class="values-box"><div class="values-title muted">values</div><canvas class="values-canvas"></canvas></div>
        </div>
        <div class="player-side">
          <div class="episode-title">no episode yet</div>
          <div class="player-buttons">
            <button type="button" data-act="play">play</button>
            <button type="button" data-act="back" title="step back">◀ step</button>
            <button type="button" data-act="next" title="step forward">step ▶</button>
            <label class="follow"><input type="checkbox" checked> follow live episodes</label>
          </div>
          <label class="slider">step <input type="range" class="scrub" min="0" max="0" value="0"></label>
          <label class="slider">playback <input type="range" class="speed" min="1" max="240" value="50"> <span class="speed-text">50 steps/s</span></label>
          <table class="step-info"><tbody></tbody></table>
          <div class="episode-note muted"></div>
        </div>
      </div>
      <div class="frame-box" hidden>
        <div class="muted">now</div>
        <div class="frame-row">
          <canvas class="frame-canvas"></canvas>
          <pre class="board" hidden></pre>
        </div>
        <div class="frame-info muted"></div>
      </div>`;
    this.canvas = root.querySelector('.episode-canvas');
    this.valuesCanvas = root.querySelector('.values-canvas');
    this.valuesTitle = root.querySelector('.values-title');
    this.title = root.querySelector('.episode-title');
    this.scrub = root.querySelector('.scrub');
    this.speed = root.querySelector('.speed');
    this.speedText = root.querySelector('.speed-text');
    this.info = root.querySelector('.step-info tbody');
    this.note = root.querySelector('.episode-note');
    this.follow = root.querySelector('.follow input');
    this.playButton = root.querySelector('[data-act=play]');
    this.frameBox = root.querySelector('.frame-box');
    this.frameCanvas = root.querySelector('.frame-canvas');
    this.board = root.querySelector('.board');
    this.frameInfo = root.querySelector('.frame-info');

    this.playButton.onclick = () => (this.playing ? this.pause() : this.play());
    root.querySelector('[data-act=back]').onclick = () => {
      this.pause();
      this.show(this.index - 1);
    };
    root.querySelector('[data-act=next]').onclick = () => {
      this.pause();
      this.show(this.index + 1);
    };
    this.scrub.oninput = () => {
      this.pause();
      this.show(Number(this.scrub.value));
    };
    this.speed.oninput = () => {
      this.speedText.textContent = `${this.speed.value} steps/s`;
      if (this.playing) this.#schedule();
    };
    this.follow.onchange = () => {
      if (this.follow.checked && this.pending && !this.playing) this.#takePending();
    };
    this.#drawEmpty();
  }

  /** Steps in the loaded episode plus its final observation. */
  #frames() {
    return this.episode ? this.episode.steps.length + (this.episode.final_obs ? 1 : 0) : 0;
  }

  /** A live `episode` message arrived at `arrived` (ms, performance.timeOrigin clock). */
  offerLive(msg, arrived) {
    const list = window.__agoraLatency || (window.__agoraLatency = []);
    const relayed = Number.isFinite(msg.relayed_at) ? msg.relayed_at * 1000 : null;
    const entry = { episode: msg.episode, at: msg.at * 1000, relayed, arrived, drawn: null };
    list.push(entry);
    if (list.length > LATENCY_KEEP) list.splice(0, list.length - LATENCY_KEEP);
    // The newest arrived episode's last frame goes up in the small canvas
    // with the next paint, whatever the player is busy replaying.
    if (this.arrivedPaint) this.arrivedPaint.entry.superseded = true;
    this.arrivedPaint = { entry, msg };
    this.framePaint = null; // the episode's end is newer than any frame before it
    this.lastArrival = arrived;
    this.#nowSoon();
    this.pending = msg;
    if (this.follow.checked && (!this.episode || this.finished)) this.#takePending();
  }

  /**
   * Paints the small "now" canvas with the next animation frame, at most
   * NOW_PAINT_MS apart, with whichever came last: the newest arrived
   * episode's end or a visual-mode frame. An arrival sooner after a paint
   * is not drawn (`superseded` in the latency list) unless nothing newer
   * comes within NOW_CATCH_UP_MS, so the canvas ends on the newest. The
   * paint of an arrived episode is the latency measured.
   */
  #nowSoon() {
    clearTimeout(this.catchUp);
    if (this.paintQueued) return;
    if (now() - (this.paintedAt || 0) < NOW_PAINT_MS) {
      this.catchUp = setTimeout(() => this.#nowSoon(), NOW_CATCH_UP_MS);
      return;
    }
    this.paintQueued = true;
    requestAnimationFrame(() => {
      this.paintQueued = false;
      this.paintedAt = now();
      const frame = this.framePaint;
      const arrived = this.arrivedPaint;
      this.framePaint = null;
      this.arrivedPaint = null;
      this.frameBox.hidden = false;
      if (frame) {
        drawObservation(this.frameCanvas, this.run.env, frame.obs || []);
        this.board.hidden = !frame.board;
        if (frame.board) this.board.textContent = frame.board;
        this.frameInfo.textContent = `step ${frame.step ?? '–'} · action ${frame.action ?? '–'} · reward ${formatNumber(frame.reward)}`;
      } else if (arrived) {
        const shown = arrived.msg;
        drawObservation(this.frameCanvas, this.run.env, shown.final_obs || []);
        this.board.hidden = true;
        this.frameInfo.textContent = `episode ${shown.episode} ended · return ${formatNumber(shown.return)} · ${shown.length} steps`;
      }
      if (arrived) arrived.entry.drawn = this.paintedAt;
    });
  }

  #takePending() {
    const msg = this.pending;
    this.pending = null;
    this.load(msg, 'live', true);
  }

  /** Loads `episode` (shape of an `episode` message) and shows its first step. */
  load(episode, source = 'live', autoplay = true) {
    if (source !== 'live') this.follow.checked = false;
    this.episode = episode;
    this.source = source;
    this.scrub.max = String(Math.max(0, this.#frames() - 1));
    const cut = episode.steps_cut ? `, ${episode.steps_cut} later steps cut` : '';
    this.title.textContent = `episode ${episode.episode} (${source}) — return ${formatNumber(episode.return)}, ${episode.length} steps${cut}`;
    this.note.textContent = source === 'live' && this.skipped
      ? `${formatNumber(this.skipped)} live episodes not sent to this page so far (it is sent at most 25 a second)`
      : '';
    this.show(0);
    if (autoplay) this.play();
    else this.pause();
  }

  /** Shows a message instead of an episode (e.g. "episode N was not recorded"). */
  say(text) {
    this.note.textContent = text;
  }

  play() {
    if (!this.episode) return;
    this.finished = false;
    if (this.index >= this.#frames() - 1) this.show(0);
    this.playing = true;
    this.playButton.textContent = 'pause';
    this.#schedule();
  }

  pause() {
    this.playing = false;
    this.finished = false;
    this.playButton.textContent = 'play';
    clearTimeout(this.timer);
  }

  /** Milliseconds between two drawn frames and the steps each advances: at most MAX_FPS frames a second. */
  #pace() {
    const speed = Number(this.speed.value);
    const interval = Math.max(1000 / speed, 1000 / MAX_FPS);
    return { interval, steps: Math.max(1, Math.round((speed * interval) / 1000)) };
  }

  #schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#tick(), this.#pace().interval);
  }

  #tick() {
    if (!this.playing) return;
    const last = this.#frames() - 1;
    if (this.index < last) {
      this.show(Math.min(last, this.index + this.#pace().steps));
      this.#schedule();
      return;
    }
    // The end: the newest live episode next, or stop here.
    if (this.pending && this.follow.checked) {
      this.#takePending();
    } else {
      this.pause();
      this.finished = true;
    }
  }

  /** Sum of the rewards before step `i` (prefix sums made once per episode). */
  #returnBefore(i) {
    const ep = this.episode;
    if (this.prefixOf !== ep) {
      this.prefixOf = ep;
      this.prefix = [0];
      for (const step of ep.steps) this.prefix.push(this.prefix[this.prefix.length - 1] + step.reward);
    }
    return this.prefix[Math.min(i, ep.steps.length)];
  }

  /** Draws step `i` of the loaded episode (the last index is the final observation). */
  show(i) {
    const ep = this.episode;
    if (!ep) return;
    const n = this.#frames();
    i = Math.max(0, Math.min(n - 1, i));
    this.index = i;
    this.scrub.value = String(i);
    const step = ep.steps[i];
    const obs = step ? step.obs : ep.final_obs;
    drawObservation(this.canvas, this.run.env, obs);
    this.canvas.dataset.episodeDrawn = String(ep.episode);
    const sum = this.#returnBefore(i);
    const rows = step
      ? [
          ['step', `${i + 1} / ${ep.steps.length}`],
          ['action', step.action],
          ['reward', formatNumber(step.reward)],
          ['return so far', formatNumber(sum + step.reward)],
          ['epsilon', step.epsilon === null || step.epsilon === undefined ? '–' : formatNumber(step.epsilon)],
        ]
      : [
          ['step', `end (${ep.steps.length} steps)`],
          ['action', '–'],
          ['reward', '–'],
          ['return', formatNumber(ep.return)],
          ['obs', (ep.final_obs || []).map((v) => formatNumber(v)).join(', ')],
        ];
    if (step) rows.push(['obs', step.obs.map((v) => formatNumber(v)).join(', ')]);
    this.#fillInfo(rows);
    this.#drawValues(step);
  }

  /** The step table: its rows made once, then only changed texts written (it redraws 50 times a second). */
  #fillInfo(rows) {
    const trs = this.info.rows;
    while (trs.length > rows.length) this.info.deleteRow(-1);
    rows.forEach(([k, v], r) => {
      const tr = trs[r] || this.info.insertRow();
      if (!tr.cells.length) tr.append(document.createElement('th'), document.createElement('td'));
      const [th, td] = tr.cells;
      if (th.textContent !== k) th.textContent = k;
      const text = String(v);
      if (td.textContent !== text) td.textContent = text;
    });
  }

  #drawValues(step) {
    const { ctx, w, h } = fitCanvas(this.valuesCanvas, 200, 90);
    ctx.clearRect(0, 0, w, h);
    const algo = this.run.algorithm;
    this.valuesTitle.textContent = algo === 'ppo' ? 'action probabilities' : algo ? 'Q-values' : 'values';
    if (!step || !step.values) {
      ctx.fillStyle = '#999';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(step ? 'no values for this step' : '', w / 2, h / 2);
      return;
    }
    drawBars(ctx, w, h, step.values, {
      labels: step.values.map((_, k) => `a${k}`),
      highlight: Number.isInteger(step.action) ? step.action : undefined,
    });
  }

  #drawEmpty() {
    drawObservation(this.canvas, this.run.env, []);
    this.#drawValues(null);
  }

  /** A live `frame` message: env 0 now, drawn from its obs with its board text in the "now" canvas. */
  showFrame(msg) {
    // Ends of episodes take the canvas while they stream; frames fill in
    // when episodes are long (or none ended for a while).
    if (now() - (this.lastArrival || 0) < FRAMES_YIELD_MS) return;
    this.framePaint = msg;
    this.#nowSoon();
  }
}
