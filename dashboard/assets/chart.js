// chart.js — one x/y chart on a <canvas>: scales and nice ticks (pure,
// exported for the unit tests), axes, filled bands, lines, dots, vertical
// markers and a rug of small ticks; drag-select to zoom, double-click to
// reset, click on a marker or near a point. It knows nothing of runs.

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle. */
export function linearScale(d0, d1, r0, r1) {
  const span = d1 - d0;
  const f = (v) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
  f.invert = (p) => (r1 === r0 ? d0 : d0 + ((p - r0) / (r1 - r0)) * span);
  return f;
}

/** About `count` round tick values covering [min, max] (1, 2, 5 × 10^k steps). */
export function niceTicks(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const s = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const first = Math.ceil(min / s - 1e-9) * s;
  const ticks = [];
  for (let i = 0; i <= 1000; i++) {
    const v = first + i * s;
    if (v > max + s * 1e-9) break;
    ticks.push(Math.abs(v) < s * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return ticks;
}

/** [min, max] of the finite numbers in `arrays` (null when there are none). */
export function extent(...arrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    if (!a) continue;
    for (const v of a) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A y domain with a little room above and below (and some height when flat). */
export function paddedDomain([lo, hi]) {
  // Flat, or flat but for float noise (a constant learning rate): give it height.
  if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi)) * 1e-9) {
    lo = hi = (lo + hi) / 2;
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return [lo - d, hi + d];
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** Short number text: 1.2k, 3.4M, 0.0012, 12.5. */
export function formatNumber(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return `${Math.round(v)}`;
  if (a >= 1) return `${+v.toFixed(2)}`;
  if (a === 0) return '0';
  if (a >= 1e-3) return `${+v.toFixed(4)}`;
  return v.toExponential(1);
}

// CSS sizes of canvases, kept up to date by a ResizeObserver: reading
// clientWidth after a DOM change forces a layout, and live data redraws
// many times a second.
const cssSizes = new WeakMap();
const resizes = typeof ResizeObserver === 'undefined'
  ? null
  : new ResizeObserver((entries) => {
    for (const e of entries) cssSizes.set(e.target, [e.contentRect.width, e.contentRect.height]);
  });

/** [width, height] of `element` in CSS pixels (the fallbacks while it has none). */
export function cssSize(element, fallbackWidth, fallbackHeight) {
  let size = cssSizes.get(element);
  if (!size) {
    size = [element.clientWidth, element.clientHeight];
    cssSizes.set(element, size);
    if (resizes) resizes.observe(element);
  }
  return [size[0] || fallbackWidth, size[1] || fallbackHeight];
}

/**
 * `canvas` sized for the screen (its backing store reallocated only when
 * its size changed: that clears it) → {ctx, w, h} in CSS pixels.
 */
export function fitCanvas(canvas, fallbackWidth, fallbackHeight) {
  const dpr = window.devicePixelRatio || 1;
  const [w, h] = cssSize(canvas, fallbackWidth, fallbackHeight);
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

const MARGIN = { left: 52, right: 12, top: 20, bottom: 22 };
const DRAG_MIN_PX = 5;
const MARKER_HIT_PX = 6;

/**
 * A chart. `options`: title, onZoom(x0, x1), onReset(), onPick({x, y, px, py}),
 * onMarker(marker), xFormat(v), yFormat(v).
 * Data (setData): { layers: [{kind: 'band'|'line'|'points', x, y | min+max, color, width, radius, alpha}],
 *   markers: [{x, color, label, data}], rug: [{xs, color}] (xs ascending), xDomain?: [x0, x1], empty?: text }.
 */
export class Chart {
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.options = options;
    this.data = { layers: [] };
    this.drag = null;
    this.hover = null;
    this.dpr = window.devicePixelRatio || 1;
    canvas.addEventListener('mousedown', (e) => this.#down(e));
    canvas.addEventListener('mousemove', (e) => this.#move(e));
    canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      if (!this.drag) this.draw();
    });
    window.addEventListener('mouseup', (e) => this.#up(e));
    canvas.addEventListener('dblclick', (e) => {
      e.preventDefault();
      if (this.options.onReset) this.options.onReset();
    });
  }

  /** Plot-area width in CSS pixels (what the server decimates to). */
  plotWidth() {
    const [w] = cssSize(this.canvas, this.canvas.width / this.dpr, 0);
    return Math.max(50, Math.round(w - MARGIN.left - MARGIN.right));
  }

  setData(data) {
    this.data = data;
  }

  #size() {
    const [cssW, cssH] = cssSize(this.canvas, 600, 200);
    const w = Math.round(cssW * this.dpr);
    const h = Math.round(cssH * this.dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    return [cssW, cssH];
  }

  #domains() {
    const layers = this.data.layers || [];
    let xDomain = this.data.xDomain || extent(...layers.map((l) => l.x)) || [0, 1];
    if (xDomain[0] === xDomain[1]) xDomain = [xDomain[0] - 0.5, xDomain[1] + 0.5];
    // y extent of what is inside the x domain, without copying (a redraw
    // with ten runs overlaid walks tens of thousands of values).
    let lo = Infinity;
    let hi = -Infinity;
    for (const l of layers) {
      const cols = l.kind === 'band' ? [l.min, l.max] : [l.y];
      for (const c of cols) {
        if (!c) continue;
        for (let i = 0; i < c.length; i++) {
          const xi = l.x[i];
          const v = c[i];
          if (xi < xDomain[0] || xi > xDomain[1] || v === null || !Number.isFinite(v)) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
    const yRange = lo <= hi ? [lo, hi] : null;
    const yDomain = this.data.yDomain || paddedDomain(yRange || [0, 1]);
    return { xDomain, yDomain };
  }

  /** Redraws everything (cheap enough to call once per animation frame). */
  draw() {
    const [W, H] = this.#size();
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const { xDomain, yDomain } = this.#domains();
    const x = linearScale(xDomain[0], xDomain[1], MARGIN.left, W - MARGIN.right);
    const y = linearScale(yDomain[0], yDomain[1], H - MARGIN.bottom, MARGIN.top);
    this.scales = { x, y, W, H };
    const xf = this.options.xFormat || formatNumber;
    const yf = this.options.yFormat || formatNumber;

    // Title.
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#222';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(this.options.title || '', MARGIN.left, 3);

    // Grid and axes.
    ctx.strokeStyle = '#e6e6e6';
    ctx.fillStyle = '#666';
    ctx.lineWidth = 1;
    ctx.font = '10px system-ui, sans-serif';
    const yTicks = niceTicks(yDomain[0], yDomain[1], Math.max(2, Math.floor((H - 40) / 30)));
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    let yLabels = yTicks.map(yf);
    if (new Set(yLabels).size < yLabels.length) yLabels = yTicks.map((t) => String(+t.toPrecision(6)));
    for (const [i, t] of yTicks.entries()) {
      const py = Math.round(y(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(MARGIN.left, py);
      ctx.lineTo(W - MARGIN.right, py);
      ctx.stroke();
      ctx.fillText(yLabels[i], MARGIN.left - 4, py);
    }
    const xTicks = niceTicks(xDomain[0], xDomain[1], Math.max(2, Math.floor((W - 70) / 80)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xTicks) {
      const px = Math.round(x(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, MARGIN.top);
      ctx.lineTo(px, H - MARGIN.bottom);
      ctx.stroke();
      ctx.fillText(xf(t), px, H - MARGIN.bottom + 4);
    }
    ctx.strokeStyle = '#bbb';
    ctx.strokeRect(MARGIN.left + 0.5, MARGIN.top + 0.5, W - MARGIN.left - MARGIN.right, H - MARGIN.top - MARGIN.bottom);

    // Data, clipped to the plot area.
    ctx.save();
    ctx.beginPath();
    ctx.rect(MARGIN.left, MARGIN.top, W - MARGIN.left - MARGIN.right, H - MARGIN.top - MARGIN.bottom);
    ctx.clip();
    for (const layer of this.data.layers || []) drawLayer(ctx, layer, x, y);
    drawRug(ctx, this.data.rug || [], x, xDomain, W, H - MARGIN.bottom);
    ctx.restore();

    const shownMarkers = [];
    for (const m of this.data.markers || []) {
      const px = Math.round(x(m.x)) + 0.5;
      if (px < MARGIN.left - 1 || px > W - MARGIN.right + 1) continue;
      shownMarkers.push({ label: m.label, px: Math.round(px), py: MARGIN.top + 2 });
      ctx.strokeStyle = m.color;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(px, MARGIN.top);
      ctx.lineTo(px, H - MARGIN.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = m.color;
      ctx.beginPath();
      ctx.moveTo(px - 5, MARGIN.top - 1);
      ctx.lineTo(px + 5, MARGIN.top - 1);
      ctx.lineTo(px, MARGIN.top + 7);
      ctx.closePath();
      ctx.fill();
    }

    // Test hook: where the markers are, in CSS pixels of the canvas.
    if (this.data.markers) this.canvas.dataset.markers = JSON.stringify(shownMarkers);

    if (this.data.empty && !(this.data.layers || []).some((l) => l.x && l.x.length)) {
      ctx.fillStyle = '#999';
      ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(this.data.empty, W / 2, H / 2);
    }

    if (this.drag && this.drag.moved) {
      const [a, b] = [this.drag.x0, this.drag.x1].sort((p, q) => p - q);
      ctx.fillStyle = 'rgba(60, 120, 220, 0.15)';
      ctx.fillRect(a, MARGIN.top, b - a, H - MARGIN.top - MARGIN.bottom);
    } else if (this.hover) {
      const { px, py } = this.hover;
      ctx.strokeStyle = 'rgba(0,0,0,0.25)';
      ctx.beginPath();
      ctx.moveTo(px + 0.5, MARGIN.top);
      ctx.lineTo(px + 0.5, H - MARGIN.bottom);
      ctx.stroke();
      ctx.fillStyle = '#444';
      ctx.font = '10px system-ui, sans-serif';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      ctx.fillText(`x ${xf(x.invert(px))}  y ${yf(y.invert(py))}`, W - MARGIN.right, 4);
    }
  }

  #pos(e) {
    const r = this.canvas.getBoundingClientRect();
    return { px: e.clientX - r.left, py: e.clientY - r.top };
  }

  #inPlot({ px, py }) {
    if (!this.scales) return false;
    const { W, H } = this.scales;
    return px >= MARGIN.left && px <= W - MARGIN.right && py >= MARGIN.top - 8 && py <= H - MARGIN.bottom;
  }

  #down(e) {
    if (e.button !== 0) return;
    const p = this.#pos(e);
    if (!this.#inPlot(p)) return;
    e.preventDefault();
    this.drag = { x0: p.px, x1: p.px, py: p.py, moved: false };
  }

  #move(e) {
    const p = this.#pos(e);
    if (this.drag) {
      this.drag.x1 = Math.max(MARGIN.left, Math.min(this.scales.W - MARGIN.right, p.px));
      if (Math.abs(this.drag.x1 - this.drag.x0) >= DRAG_MIN_PX) this.drag.moved = true;
    } else {
      this.hover = this.#inPlot(p) ? p : null;
    }
    this.draw();
  }

  #up() {
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    const { x, y } = this.scales;
    if (drag.moved) {
      const [a, b] = [drag.x0, drag.x1].sort((p, q) => p - q);
      this.draw();
      if (this.options.onZoom) this.options.onZoom(x.invert(a), x.invert(b));
      return;
    }
    const hit = (this.data.markers || []).find((m) => Math.abs(x(m.x) - drag.x0) <= MARKER_HIT_PX);
    if (hit && this.options.onMarker) {
      this.options.onMarker(hit);
    } else if (this.options.onPick) {
      this.options.onPick({ x: x.invert(drag.x0), y: y.invert(drag.py), px: drag.x0, py: drag.py });
    }
    this.draw();
  }

  /** Pixel x of data value `v` (after a draw). */
  px(v) {
    return this.scales ? this.scales.x(v) : NaN;
  }
}

/**
 * Small ticks along the bottom, one path per group and at most one tick per
 * pixel column: a million-episode run has ten thousand recorded episodes,
 * ten of them overlaid a hundred thousand.
 */
function drawRug(ctx, groups, x, xDomain, W, bottom) {
  const taken = new Uint8Array(Math.ceil(W) + 2);
  for (const { xs, color } of groups) {
    if (!xs || !xs.length) continue;
    taken.fill(0);
    ctx.strokeStyle = color || '#999';
    ctx.beginPath();
    for (let i = lowerBound(xs, xDomain[0]); i < xs.length && xs[i] <= xDomain[1]; i++) {
      const px = Math.round(x(xs[i]));
      if (px < 0 || px > W || taken[px]) continue;
      taken[px] = 1;
      ctx.moveTo(px + 0.5, bottom);
      ctx.lineTo(px + 0.5, bottom - 5);
    }
    ctx.stroke();
  }
}

/** The first index of ascending `xs` whose value is ≥ `v`. */
export function lowerBound(xs, v) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function drawLayer(ctx, layer, x, y) {
  const n = layer.x ? layer.x.length : 0;
  if (!n) return;
  ctx.globalAlpha = layer.alpha ?? 1;
  if (layer.kind === 'band') {
    // One vertical stroke per column: the server's columns are pixel
    // columns, and a stroke keeps a column whose min equals its max (a
    // filled polygon would lose it) at a fraction of a polygon's cost.
    ctx.strokeStyle = layer.color;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const px = Math.round(x(layer.x[i])) + 0.5;
      const top = y(layer.max[i]);
      // At least a pixel tall, so a flat column still shows.
      ctx.moveTo(px, top - 0.5);
      ctx.lineTo(px, Math.max(top + 0.5, y(layer.min[i])));
    }
    ctx.stroke();
  } else if (layer.kind === 'line') {
    ctx.strokeStyle = layer.color;
    ctx.lineWidth = layer.width || 1.5;
    // Bevel joins: round ones cost a circle per vertex in software raster.
    ctx.lineJoin = 'bevel';
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = layer.y[i];
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        continue;
      }
      const px = x(layer.x[i]);
      const py = y(v);
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
  } else if (layer.kind === 'points') {
    // One path, one fill: a fill per point is a draw call each.
    ctx.fillStyle = layer.color;
    const r = layer.radius || 1.5;
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const v = layer.y[i];
      if (v === null || !Number.isFinite(v)) continue;
      ctx.rect(x(layer.x[i]) - r, y(v) - r, 2 * r, 2 * r);
    }
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}
