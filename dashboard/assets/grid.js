// grid.js — the grid worlds: decoding a tabular observation (state index or
// one-hot) into FrozenLake / Taxi / CliffWalking positions, parsing a
// gold-miners text board, and drawing each of them on a canvas. The
// decoders are pure (unit-tested under tests/browser/unit).

export const FROZEN_LAKE_MAPS = {
  '4x4': ['SFFF', 'FHFH', 'FFFH', 'HFFG'],
  '8x8': ['SFFFFFFF', 'FFFFFFFF', 'FFFHFFFF', 'FFFFFHFF', 'FFFHFFFF', 'FHHFFFHF', 'FHFFHFHF', 'FFFHFFFG'],
};

/** The state index of a tabular observation: the number itself, or the argmax of a one-hot vector. */
export function stateIndex(obs) {
  if (!obs || !obs.length) return null;
  if (obs.length === 1) return Math.round(obs[0]);
  let best = 0;
  for (let i = 1; i < obs.length; i++) if (obs[i] > obs[best]) best = i;
  return best;
}

/** The FrozenLake map of `env` ({id, params}): params.desc, else params.map_name, else by id. */
export function frozenLakeDesc(env) {
  const params = (env && env.params) || {};
  if (Array.isArray(params.desc) && params.desc.length) return params.desc.map(String);
  const name = params.map_name || (env && /8x8/.test(env.id) ? '8x8' : '4x4');
  return FROZEN_LAKE_MAPS[name] || FROZEN_LAKE_MAPS['4x4'];
}

/** Taxi state → {row, col, passenger (0-3 a stand, 4 in the taxi), destination}. */
export function taxiDecode(s) {
  const destination = s % 4;
  s = Math.floor(s / 4);
  const passenger = s % 5;
  s = Math.floor(s / 5);
  const col = s % 5;
  const row = Math.floor(s / 5);
  return { row, col, passenger, destination };
}

export const TAXI_STANDS = [
  { name: 'R', row: 0, col: 0, color: '#d33' },
  { name: 'G', row: 0, col: 4, color: '#2a9d55' },
  { name: 'Y', row: 4, col: 0, color: '#c9a400' },
  { name: 'B', row: 4, col: 3, color: '#2f6fd1' },
];
// Gymnasium's map: a '|' at text column 2*c+2 of row r+1 is a wall east of cell (r, c).
const TAXI_MAP = ['+---------+', '|R: | : :G|', '| : | : : |', '| : : : : |', '| | : | : |', '|Y| : |B: |', '+---------+'];

/** The walls of the taxi grid: [{row, col}] with a wall east of (row, col). */
export function taxiWalls() {
  const walls = [];
  for (let r = 0; r < 5; r++) {
    for (let c = 0; c < 4; c++) if (TAXI_MAP[r + 1][2 * c + 2] === '|') walls.push({ row: r, col: c });
  }
  return walls;
}

export const CLIFF = { rows: 4, cols: 12, start: { row: 3, col: 0 }, goal: { row: 3, col: 11 } };

/** CliffWalking state → {row, col}. */
export function cliffDecode(s) {
  return { row: Math.floor(s / CLIFF.cols), col: s % CLIFF.cols };
}

/** Whether (row, col) is a cliff cell (row 3, cols 1..10). */
export function isCliff(row, col) {
  return row === 3 && col >= 1 && col <= 10;
}

// ---- drawing ------------------------------------------------------------

function layout(w, h, cols, rows, top = 0) {
  const cell = Math.floor(Math.min(w / cols, (h - top) / rows));
  return { cell, ox: Math.floor((w - cell * cols) / 2), oy: top + Math.floor((h - top - cell * rows) / 2) };
}

function cellRect(ctx, g, row, col, color, inset = 0) {
  ctx.fillStyle = color;
  ctx.fillRect(g.ox + col * g.cell + inset, g.oy + row * g.cell + inset, g.cell - 2 * inset, g.cell - 2 * inset);
}

function dot(ctx, g, row, col, color, scale = 0.3, at = 0.5) {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(g.ox + (col + at) * g.cell, g.oy + (row + at) * g.cell, g.cell * scale, 0, 2 * Math.PI);
  ctx.fill();
}

function label(ctx, g, row, col, text, color = '#fff', size = 0.45) {
  ctx.fillStyle = color;
  ctx.font = `bold ${Math.max(9, Math.floor(g.cell * size))}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, g.ox + (col + 0.5) * g.cell, g.oy + (row + 0.5) * g.cell);
}

function gridLines(ctx, g, rows, cols, color = 'rgba(0,0,0,0.15)') {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  for (let r = 0; r <= rows; r++) {
    ctx.beginPath();
    ctx.moveTo(g.ox, g.oy + r * g.cell + 0.5);
    ctx.lineTo(g.ox + cols * g.cell, g.oy + r * g.cell + 0.5);
    ctx.stroke();
  }
  for (let c = 0; c <= cols; c++) {
    ctx.beginPath();
    ctx.moveTo(g.ox + c * g.cell + 0.5, g.oy);
    ctx.lineTo(g.ox + c * g.cell + 0.5, g.oy + rows * g.cell);
    ctx.stroke();
  }
}

const LAKE_COLORS = { S: '#cfe8ff', F: '#e8f4ff', H: '#27466b', G: '#7bd389' };

export function drawFrozenLake(ctx, w, h, env, obs) {
  const desc = frozenLakeDesc(env);
  const rows = desc.length;
  const cols = desc[0].length;
  const g = layout(w, h, cols, rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const t = desc[r][c];
      cellRect(ctx, g, r, c, LAKE_COLORS[t] || '#eee');
      if (t === 'S' || t === 'G') label(ctx, g, r, c, t, '#345', 0.35);
    }
  }
  gridLines(ctx, g, rows, cols);
  const s = stateIndex(obs);
  if (s !== null && s >= 0 && s < rows * cols) dot(ctx, g, Math.floor(s / cols), s % cols, '#e0662a');
}

export function drawTaxi(ctx, w, h, env, obs) {
  const s = stateIndex(obs);
  const g = layout(w, h, 5, 5);
  for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) cellRect(ctx, g, r, c, '#f4f4f0');
  if (s === null || s < 0 || s >= 500) {
    gridLines(ctx, g, 5, 5);
    return;
  }
  const t = taxiDecode(s);
  TAXI_STANDS.forEach((stand, i) => {
    cellRect(ctx, g, stand.row, stand.col, stand.color, 2);
    label(ctx, g, stand.row, stand.col, stand.name);
    if (i === t.destination) {
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 3;
      ctx.strokeRect(g.ox + stand.col * g.cell + 3, g.oy + stand.row * g.cell + 3, g.cell - 6, g.cell - 6);
    }
  });
  gridLines(ctx, g, 5, 5);
  ctx.strokeStyle = '#222';
  ctx.lineWidth = 4;
  for (const wall of taxiWalls()) {
    const x = g.ox + (wall.col + 1) * g.cell;
    ctx.beginPath();
    ctx.moveTo(x, g.oy + wall.row * g.cell);
    ctx.lineTo(x, g.oy + (wall.row + 1) * g.cell);
    ctx.stroke();
  }
  ctx.strokeRect(g.ox, g.oy, 5 * g.cell, 5 * g.cell);
  // The taxi: yellow when empty, green with the passenger aboard.
  const inTaxi = t.passenger === 4;
  cellRect(ctx, g, t.row, t.col, inTaxi ? '#3cb371' : '#f2c200', Math.floor(g.cell * 0.18));
  if (!inTaxi) {
    const p = TAXI_STANDS[t.passenger];
    // The waiting passenger, in the stand's corner (its letter stays readable).
    dot(ctx, g, p.row, p.col, '#fff', 0.14, 0.78);
    dot(ctx, g, p.row, p.col, '#222', 0.09, 0.78);
  }
}

export function drawCliff(ctx, w, h, env, obs) {
  const g = layout(w, h, CLIFF.cols, CLIFF.rows);
  for (let r = 0; r < CLIFF.rows; r++) {
    for (let c = 0; c < CLIFF.cols; c++) cellRect(ctx, g, r, c, isCliff(r, c) ? '#5a4636' : '#eef3e8');
  }
  cellRect(ctx, g, CLIFF.start.row, CLIFF.start.col, '#cfe8ff');
  label(ctx, g, CLIFF.start.row, CLIFF.start.col, 'S', '#345', 0.35);
  cellRect(ctx, g, CLIFF.goal.row, CLIFF.goal.col, '#7bd389');
  label(ctx, g, CLIFF.goal.row, CLIFF.goal.col, 'G', '#345', 0.35);
  gridLines(ctx, g, CLIFF.rows, CLIFF.cols);
  const s = stateIndex(obs);
  if (s !== null && s >= 0 && s < CLIFF.rows * CLIFF.cols) {
    const { row, col } = cliffDecode(s);
    dot(ctx, g, row, col, '#e0662a');
  }
}

const MINER_COLORS = ['#1f6fd1', '#d1521f', '#2a9d55', '#8a4fd1', '#c79a00', '#d13f8a', '#3aa6b9'];

/**
 * Draws a gold-miners world from its state ({width, height, obstacles,
 * gold, depot, miners: [{x, y, carrying}], steps, delivered, num_gold}, as
 * the run's `frame` messages carry it); false when `state` is not one.
 */
export function drawWorld(ctx, w, h, state) {
  if (!isWorldState(state)) return false;
  const g = layout(w, h - 16, state.width, state.height);
  for (let r = 0; r < state.height; r++) {
    for (let c = 0; c < state.width; c++) cellRect(ctx, g, r, c, '#f6f3ea');
  }
  for (const [c, r] of state.obstacles) cellRect(ctx, g, r, c, '#6b6b6b');
  const [dc, dr] = state.depot;
  cellRect(ctx, g, dr, dc, '#b7d7f5', 1);
  label(ctx, g, dr, dc, 'D', '#245', 0.5);
  for (const [c, r] of state.gold) dot(ctx, g, r, c, '#e6b400', 0.28);
  state.miners.forEach((m, id) => {
    dot(ctx, g, m.y, m.x, MINER_COLORS[id % MINER_COLORS.length], 0.4);
    label(ctx, g, m.y, m.x, String(id), '#fff', 0.45);
    // A carried nugget rides on the miner's shoulder.
    if (m.carrying) dot(ctx, g, m.y, m.x, '#e6b400', 0.16, 0.8);
  });
  const carrying = state.miners.flatMap((m, id) => (m.carrying ? [id] : []));
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText(`step ${state.steps} · delivered ${state.delivered}/${state.num_gold} · carrying ${carrying.length ? carrying.join(', ') : '–'}`, 4, h - 2);
  return true;
}

/** Whether `state` has the shape `drawWorld` needs (cells inside the grid). */
export function isWorldState(state) {
  if (!state || !Number.isInteger(state.width) || !Number.isInteger(state.height)) return false;
  const inside = (cell) => Array.isArray(cell) && cell[0] >= 0 && cell[0] < state.width && cell[1] >= 0 && cell[1] < state.height;
  return (
    state.width > 0 && state.height > 0 &&
    Array.isArray(state.obstacles) && state.obstacles.every(inside) &&
    Array.isArray(state.gold) && state.gold.every(inside) &&
    inside(state.depot) &&
    Array.isArray(state.miners) && state.miners.every((m) => m && inside([m.x, m.y]))
  );
}
