// render.js — one env frame on a canvas from an observation: CartPole,
// MountainCar, Acrobot drawn here, the grid worlds via grid.js, and a
// generic bar chart of the obs vector for anything else. Picks the
// renderer from the run's env id. (A shared BDI world is drawn from its
// state by world.js.)

import { drawCliff, drawFrozenLake, drawTaxi } from './grid.js';
import { fitCanvas } from './chart.js';

/** Which renderer draws `env` ({id, params} or null). */
export function envKind(env) {
  const id = (env && env.id) || '';
  if (id.startsWith('CartPole')) return 'cartpole';
  if (id.startsWith('MountainCar')) return 'mountaincar';
  if (id.startsWith('Acrobot')) return 'acrobot';
  if (id.startsWith('FrozenLake')) return 'frozenlake';
  if (id.startsWith('Taxi')) return 'taxi';
  if (id.startsWith('CliffWalking')) return 'cliffwalking';
  return 'generic';
}

/** Sizes `canvas` for the screen and draws one frame; returns the renderer used. */
export function drawObservation(canvas, env, obs) {
  const { ctx, w, h } = fitCanvas(canvas, 320, 200);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const kind = envKind(env);
  const draw = {
    cartpole: () => drawCartPole(ctx, w, h, obs),
    mountaincar: () => drawMountainCar(ctx, w, h, obs),
    acrobot: () => drawAcrobot(ctx, w, h, obs),
    frozenlake: () => drawFrozenLake(ctx, w, h, env, obs),
    taxi: () => drawTaxi(ctx, w, h, env, obs),
    cliffwalking: () => drawCliff(ctx, w, h, env, obs),
    generic: () => drawBars(ctx, w, h, obs),
  };
  draw[kind]();
  return kind;
}

function drawCartPole(ctx, w, h, obs) {
  const [x = 0, , theta = 0] = obs || [];
  const worldWidth = 4.8; // x in [-2.4, 2.4]
  const scale = w / worldWidth;
  const trackY = h * 0.72;
  const cartW = 0.5 * scale;
  const cartH = 0.3 * scale;
  const poleLen = 1.0 * scale; // Gymnasium draws the pole 2 × half-length 0.5
  const cx = w / 2 + x * scale;
  ctx.strokeStyle = '#444';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, trackY);
  ctx.lineTo(w, trackY);
  ctx.stroke();
  // The ±2.4 limits.
  ctx.strokeStyle = '#d33';
  for (const edge of [-2.4, 2.4]) {
    const ex = w / 2 + edge * scale;
    ctx.beginPath();
    ctx.moveTo(ex, trackY - 6);
    ctx.lineTo(ex, trackY + 6);
    ctx.stroke();
  }
  ctx.fillStyle = '#333';
  ctx.fillRect(cx - cartW / 2, trackY - cartH / 2, cartW, cartH);
  const axleY = trackY - cartH / 4;
  ctx.strokeStyle = '#c98a4b';
  ctx.lineWidth = Math.max(4, scale * 0.1);
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(cx, axleY);
  ctx.lineTo(cx + Math.sin(theta) * poleLen, axleY - Math.cos(theta) * poleLen);
  ctx.stroke();
  ctx.lineCap = 'butt';
  ctx.fillStyle = '#8193c9';
  ctx.beginPath();
  ctx.arc(cx, axleY, Math.max(3, scale * 0.05), 0, 2 * Math.PI);
  ctx.fill();
}

function drawMountainCar(ctx, w, h, obs) {
  const [pos = -0.5] = obs || [];
  const [lo, hi] = [-1.2, 0.6];
  const height = (x) => Math.sin(3 * x) * 0.45 + 0.55; // Gymnasium's hill
  const sx = (x) => ((x - lo) / (hi - lo)) * (w - 20) + 10;
  const sy = (y) => h - 10 - y * (h - 50); // room above the top for the flag
  ctx.strokeStyle = '#555';
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let i = 0; i <= 100; i++) {
    const x = lo + ((hi - lo) * i) / 100;
    if (i === 0) ctx.moveTo(sx(x), sy(height(x)));
    else ctx.lineTo(sx(x), sy(height(x)));
  }
  ctx.stroke();
  // The flag at 0.5.
  const fx = sx(0.5);
  const fy = sy(height(0.5));
  ctx.strokeStyle = '#333';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(fx, fy);
  ctx.lineTo(fx, fy - 28);
  ctx.stroke();
  ctx.fillStyle = '#e6b400';
  ctx.beginPath();
  ctx.moveTo(fx, fy - 28);
  ctx.lineTo(fx + 14, fy - 23);
  ctx.lineTo(fx, fy - 18);
  ctx.fill();
  // The car, tilted along the slope.
  const angle = Math.atan2(-(sy(height(pos + 0.01)) - sy(height(pos))), sx(pos + 0.01) - sx(pos));
  ctx.save();
  ctx.translate(sx(pos), sy(height(pos)));
  ctx.rotate(-angle);
  ctx.fillStyle = '#1f6fd1';
  ctx.fillRect(-16, -14, 32, 10);
  ctx.fillStyle = '#333';
  for (const wx of [-9, 9]) {
    ctx.beginPath();
    ctx.arc(wx, -3, 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
}

function drawAcrobot(ctx, w, h, obs) {
  const [c1 = 1, s1 = 0, c2 = 1, s2 = 0] = obs || [];
  const t1 = Math.atan2(s1, c1);
  const t2 = Math.atan2(s2, c2);
  const unit = Math.min(w, h) / 4.6; // two links of length 1, plus room
  const ox = w / 2;
  const oy = h / 2;
  // Gymnasium: the links hang down at angle 0; x = sin, y = -cos.
  const p1 = [Math.sin(t1), -Math.cos(t1)];
  const p2 = [p1[0] + Math.sin(t1 + t2), p1[1] - Math.cos(t1 + t2)];
  const to = ([x, y]) => [ox + x * unit, oy - y * unit];
  // The goal height: the tip above 1.
  ctx.strokeStyle = '#aaa';
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(ox - 2.2 * unit, oy - unit);
  ctx.lineTo(ox + 2.2 * unit, oy - unit);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineCap = 'round';
  ctx.lineWidth = Math.max(5, unit * 0.12);
  const pts = [[0, 0], p1, p2].map(to);
  ctx.strokeStyle = '#2a7a7a';
  for (let i = 0; i < 2; i++) {
    ctx.beginPath();
    ctx.moveTo(...pts[i]);
    ctx.lineTo(...pts[i + 1]);
    ctx.stroke();
  }
  ctx.lineCap = 'butt';
  ctx.fillStyle = '#c9a400';
  for (const p of pts.slice(0, 2)) {
    ctx.beginPath();
    ctx.arc(p[0], p[1], Math.max(3, unit * 0.06), 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** The obs vector as bars around zero, each labelled with its index and value. */
export function drawBars(ctx, w, h, values, { labels, highlight } = {}) {
  const v = values || [];
  if (!v.length) {
    ctx.fillStyle = '#999';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('no observation', w / 2, h / 2);
    return;
  }
  const top = 6;
  const bottom = h - 16;
  const max = Math.max(1e-9, ...v.map((a) => Math.abs(a)));
  const anyNeg = v.some((a) => a < 0);
  const zero = anyNeg ? (top + bottom) / 2 : bottom;
  const scale = (anyNeg ? (bottom - top) / 2 : bottom - top) / max;
  const slot = w / v.length;
  const bw = Math.max(2, Math.min(40, slot * 0.7));
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'center';
  v.forEach((a, i) => {
    const cx = (i + 0.5) * slot;
    ctx.fillStyle = i === highlight ? '#e0662a' : a < 0 ? '#d1521f' : '#1f6fd1';
    const y = a >= 0 ? zero - a * scale : zero;
    ctx.fillRect(cx - bw / 2, y, bw, Math.max(1, Math.abs(a) * scale));
    ctx.fillStyle = '#333';
    ctx.textBaseline = 'top';
    if (slot > 18) ctx.fillText(labels ? labels[i] : String(i), cx, h - 13);
    if (slot > 34) {
      ctx.textBaseline = 'bottom';
      ctx.fillText(Number(a).toPrecision(3), cx, Math.min(y, zero) - 1 < top + 10 ? top + 10 : Math.min(y, zero) - 1);
    }
  });
  ctx.strokeStyle = '#999';
  ctx.beginPath();
  ctx.moveTo(0, zero + 0.5);
  ctx.lineTo(w, zero + 0.5);
  ctx.stroke();
}
