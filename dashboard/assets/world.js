// world.js — a shared BDI world (gold-miners) live: the run's `frame`
// messages carry the whole world state, drawn on one canvas at most once
// per animation frame (only the newest state is drawn).

import { fitCanvas } from './chart.js';
import { drawWorld } from './grid.js';

export class WorldPanel {
  /** `root`: the section to build in. */
  constructor(root) {
    root.innerHTML = `
      <h2>world</h2>
      <canvas class="world-canvas"></canvas>
      <div class="world-info muted">the world is drawn while the run is live</div>`;
    this.canvas = root.querySelector('.world-canvas');
    this.info = root.querySelector('.world-info');
    this.newest = null;
  }

  /** A `frame` message with a `world` state arrived. */
  show(msg) {
    const waiting = this.newest !== null;
    this.newest = msg;
    if (waiting) return;
    requestAnimationFrame(() => {
      const shown = this.newest;
      this.newest = null;
      const { ctx, w, h } = fitCanvas(this.canvas, 360, 376);
      ctx.clearRect(0, 0, w, h);
      const drawn = drawWorld(ctx, w, h, shown.state);
      this.canvas.dataset.worldStep = String(shown.step);
      this.info.textContent = drawn
        ? `${shown.world} · step ${shown.step}${shown.done ? ' · done' : ''} · last moved by ${shown.agent}`
        : `a ${shown.world} frame this page cannot draw`;
    });
  }
}
