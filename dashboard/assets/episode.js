// episode.js — the episode player: replays one episode (live from the
// WebSocket, or a recorded one) step by step at a chosen speed with
// play/pause, step and scrub; shows action, reward, epsilon and the bars of
// `values`; keeps window.__agoraLatency for live episodes; and shows the
// latest `frame` message (board text, image, its own small canvas).

import { drawBars, drawObservation } from './render.js';
import { cssSize, formatNumber } from './chart.js';

const LATENCY_KEEP = 20_000;

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
        <div class="muted">latest frame</div>
        <div class="frame-row">
          <canvas class="frame-canvas"></canvas>
          <img class="frame-image" alt="env frame" hidden>
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
    this.frameImage = root.querySelector('.frame-image');
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
    // with the next paint, whatever the player is busy replaying; episodes
    // that a newer one replaced before that paint are never drawn
    // (`superseded`). That paint is the latency measured.
    if (this.arrivedPaint) {
      this.arrivedPaint.entry.superseded = true;
      this.arrivedPaint.entry = entry;
      this.arrivedPaint.msg = msg;
    } else {
      this.arrivedPaint = { entry, msg };
      requestAnimationFrame(() => {
        const { entry: newest, msg: shown } = this.arrivedPaint;
        this.arrivedPaint = null;
        drawObservation(this.frameCanvas, this.run.env, shown.final_obs || [], null);
        this.frameCanvas.hidden = false;
        newest.drawn = now();
      });
    }
    this.pending = msg;
    if (this.follow.checked && (!this.episode || this.finished)) this.#takePending();
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
    this.note.textContent = '';
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

  #schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#tick(), 1000 / Number(this.speed.value));
  }

  #tick() {
    if (!this.playing) return;
    if (this.index < this.#frames() - 1) {
      this.show(this.index + 1);
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
    drawObservation(this.canvas, this.run.env, obs, null);
    this.canvas.dataset.episodeDrawn = String(ep.episode);
    let sum = 0;
    for (let k = 0; k < Math.min(i, ep.steps.length); k++) sum += ep.steps[k].reward;
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
    this.info.replaceChildren(
      ...rows.map(([k, v]) => {
        const tr = document.createElement('tr');
        const th = document.createElement('th');
        th.textContent = k;
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.append(th, td);
        return tr;
      }),
    );
    this.#drawValues(step);
  }

  #drawValues(step) {
    const c = this.valuesCanvas;
    const dpr = window.devicePixelRatio || 1;
    const [w, h] = cssSize(c, 200, 90);
    // Set only when it changes: setting a canvas's size clears and reallocates it.
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
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
    drawObservation(this.canvas, this.run.env, [], null);
    this.#drawValues(null);
  }

  /** A live `frame` message: its obs on the small canvas, board text, image. */
  showFrame(msg) {
    this.frameBox.hidden = false;
    // The env's own picture when the frame has one; else drawn here from the obs.
    const image = msg.image && msg.image.png_base64;
    this.frameCanvas.hidden = !!image;
    if (!image) drawObservation(this.frameCanvas, this.run.env, msg.obs || [], msg.board);
    if (msg.board) {
      this.board.hidden = false;
      this.board.textContent = msg.board;
    } else {
      this.board.hidden = true;
    }
    if (image) {
      this.frameImage.hidden = false;
      this.frameImage.src = `data:image/png;base64,${image}`;
    } else {
      this.frameImage.hidden = true;
    }
    this.frameInfo.textContent = `step ${msg.step ?? '–'} · action ${msg.action ?? '–'} · reward ${formatNumber(msg.reward)}`;
  }
}
