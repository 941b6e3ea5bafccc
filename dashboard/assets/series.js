// series.js — the tab's copy of one curve: the server's decimated answer
// (raw points, or min/max columns, plus the smoothed line) and the live
// points appended since, bounded; turns it into chart layers and finds the
// point nearest a click. Pure data, no DOM (unit-tested under tests/browser/unit).

export class LocalSeries {
  constructor() {
    /** The server's Series for the current range, or null before the first answer. */
    this.base = null;
    /** Points that arrived live after `base` was fetched (x ascending). */
    this.extra = { x: [], y: [], episode: [] };
    /** True when `base` covers the whole run (no zoom), so indices count episodes. */
    this.whole = true;
  }

  /**
   * Takes a fresh answer for the range ending at `rangeEnd`: live points the
   * answer already holds are dropped, later ones kept.
   */
  setBase(series, rangeEnd, whole = true) {
    this.base = series || { count: 0, points: { x: [], y: [] }, columns: null, smooth: { x: [], y: [] } };
    this.whole = whole;
    const e = this.extra;
    let keep = 0;
    while (keep < e.x.length && e.x[keep] <= rangeEnd) keep++;
    if (keep > 0) {
      e.x.splice(0, keep);
      e.y.splice(0, keep);
      e.episode.splice(0, keep);
    }
  }

  /** Appends one live point (ignored when it goes back in x). */
  append(x, y, episode = null) {
    if (!Number.isFinite(x) || y === null || y === undefined || !Number.isFinite(y)) return;
    const e = this.extra;
    if (e.x.length && x < e.x[e.x.length - 1]) return;
    e.x.push(x);
    e.y.push(y);
    e.episode.push(episode);
  }

  /** Raw points this copy represents. */
  count() {
    return (this.base ? this.base.count || 0 : 0) + this.extra.x.length;
  }

  /** Live points held beside the server's answer. */
  buffered() {
    return this.extra.x.length;
  }

  /** The last y value known (live, else the server's). */
  lastValue() {
    const e = this.extra;
    if (e.y.length) return e.y[e.y.length - 1];
    const b = this.base;
    if (!b) return null;
    if (b.points && b.points.y.length) return b.points.y[b.points.y.length - 1];
    if (b.columns && b.columns.last.length) return b.columns.last[b.columns.last.length - 1];
    return null;
  }

  /**
   * Chart layers in `color`: `dots` draws raw points as dots (episode
   * returns), otherwise as a thin line (metrics); `smooth` adds the
   * server's smoothed line; `lastLine` joins the columns' last points (left
   * out when runs are overlaid: ten of them hide each other's bands).
   */
  layers(color, { dots = true, smooth = true, faint = false, lastLine = true } = {}) {
    const layers = [];
    const b = this.base;
    const rawAlpha = faint ? 0.25 : dots ? 0.45 : 0.6;
    const raw = (x, y) =>
      dots
        ? { kind: 'points', x, y, color, radius: 1.3, alpha: rawAlpha }
        : { kind: 'line', x, y, color, width: 1, alpha: rawAlpha };
    if (b && b.columns && b.columns.x.length) {
      const c = b.columns;
      layers.push({ kind: 'band', x: c.x, min: c.min, max: c.max, color, alpha: faint ? 0.12 : 0.22 });
      if (lastLine) layers.push({ kind: 'line', x: c.x, y: c.last, color, width: 1, alpha: faint ? 0.3 : 0.55 });
    } else if (b && b.points) {
      layers.push(raw(b.points.x, b.points.y));
    }
    if (this.extra.x.length) layers.push(raw(this.extra.x, this.extra.y));
    if (smooth && b && b.smooth && b.smooth.x.length) {
      const s = b.smooth;
      // Live points get no smoothed line until the next fetch (the server smooths).
      layers.push({ kind: 'line', x: s.x, y: s.y, color, width: 2.2, alpha: 1 });
    }
    return layers;
  }

  /**
   * The point nearest pixel `px` (by x, then y) using scale `sx`/`sy`:
   * {x, y, episode|null}, or null when there are none.
   */
  nearest(px, py, sx, sy) {
    let best = null;
    let bestD = Infinity;
    const consider = (x, y, episode) => {
      if (!Number.isFinite(y)) return;
      const dx = sx(x) - px;
      const dy = (sy(y) - py) / 4; // x matters most: episodes are along x
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = { x, y, episode };
      }
    };
    const b = this.base;
    // The server names the episode of each point (a column's last) on the
    // return and length series.
    const numbers = b && b.episode;
    const numberAt = (i) => (numbers ? numbers[i] ?? null : null);
    if (b && b.points) {
      const { x, y } = b.points;
      for (let i = 0; i < x.length; i++) consider(x[i], y[i], numbers ? numberAt(i) : this.whole ? i + 1 : null);
    } else if (b && b.columns) {
      const c = b.columns;
      for (let i = 0; i < c.x.length; i++) consider(c.x[i], c.last[i], numberAt(i));
    }
    const e = this.extra;
    for (let i = 0; i < e.x.length; i++) consider(e.x[i], e.y[i], e.episode[i]);
    return best;
  }
}

/** The bounds of `series`' x values (base and live), or null. */
export function xBounds(list) {
  let lo = Infinity;
  let hi = -Infinity;
  const see = (a) => {
    if (a && a.length) {
      lo = Math.min(lo, a[0]);
      hi = Math.max(hi, a[a.length - 1]);
    }
  };
  for (const s of list) {
    if (!s) continue;
    if (s.base) {
      see(s.base.points && s.base.points.x);
      see(s.base.columns && s.base.columns.x);
    }
    see(s.extra.x);
  }
  return lo <= hi ? [lo, hi] : null;
}
