// mock-server.mjs — a stand-in for `agora dashboard` that speaks the
// contract of docs/dashboard-api.md with made-up runs, so the page in
// dashboard/assets/ can be worked on (and screenshotted) without building
// the Rust server. Not used by the tests.
//
//   node tests/browser/mock-server.mjs [PORT] [--env CartPole-v1]
//   → prints "dashboard: http://127.0.0.1:PORT/?run=RUN_ID"

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard', 'assets');
const TYPES = { html: 'text/html', css: 'text/css', js: 'text/javascript' };
const args = process.argv.slice(2);
const port = Number(args.find((a) => /^\d+$/.test(a)) || 0);
const envId = args.includes('--env') ? args[args.indexOf('--env') + 1] : 'CartPole-v1';
const t0 = Date.now() / 1000 - 600;

const caps = { pause: true, resume: true, stop: true, visual: true, speed: true, checkpoint: true, warm_start: true, eval: true, live_beliefs: false, live_episodes: true };
const live = {
  id: 'cartpole-dqn-20260101-120000-ab12', name: 'cartpole-dqn', status: 'running', live: true, kind: 'learner',
  algorithm: 'dqn', target: envId, env: { id: envId, params: {} }, episodes: 0, env_steps: 0, sps: 1500,
  mean_return: null, best_mean_return: null, started_at: t0, ended_at: null, host: 'mockhost', reason: null,
  telemetry: true, capabilities: caps,
};
const done = {
  ...live, id: 'taxi-q-20251231-100000-cd34', name: 'taxi-q', status: 'completed', live: false, algorithm: 'q_learning',
  target: 'Taxi-v3', env: { id: 'Taxi-v3', params: {} }, episodes: 2000, env_steps: 40000, ended_at: t0 - 100,
  started_at: t0 - 400, mean_return: 7.5, best_mean_return: 8.1, capabilities: { ...caps, pause: false, resume: false, stop: false, visual: false, speed: false },
};
const fast = { ...done, id: 'fast-ppo-20251230-090000-ef56', algorithm: 'ppo', target: 'Acrobot-v1', telemetry: false, env: { id: 'Acrobot-v1', params: {} } };
const runs = [live, done, fast];
const state = { visual: false, speed: 1 };
const checkpoints = [
  { sequence: 1, agent: 'learner', tag: null, env_steps: 20000, at: t0 + 100, bytes: 120000 },
  { sequence: 2, agent: 'learner', tag: 'best', env_steps: 45000, at: t0 + 250, bytes: 120000 },
];

// Made-up episodes: returns grow with steps.
const episodes = []; // {episode, x(steps), at, ret, len}
let steps = 0;
function addEpisode(at) {
  const len = Math.max(8, Math.round(Math.min(500, 10 + steps / 150 + Math.random() * 60)));
  steps += len;
  episodes.push({ episode: episodes.length + 1, x: steps, at, ret: len, len });
  live.episodes = episodes.length;
  live.env_steps = steps;
  return episodes[episodes.length - 1];
}
for (let i = 0; i < 1500; i++) addEpisode(t0 + i * 0.3);
const train = []; // {x, at, td_loss, epsilon, q_mean}
function addTrain(at) {
  train.push({ x: steps, at, td_loss: Math.exp(-steps / 40000) + Math.random() * 0.1, epsilon: Math.max(0.05, 1 - steps / 100000), q_mean: steps / 5000 });
}
for (let i = 0; i < 200; i++) addTrain(t0 + i * 2);
const recorded = () => episodes.filter((e) => e.episode % 100 === 0).map((e) => ({ episode: e.episode, return: e.ret, length: e.len, env_steps: e.x, at: e.at }));

function decimate(xs, ys, x0, x1, W) {
  const idx = [];
  for (let i = 0; i < xs.length; i++) if (xs[i] >= x0 && xs[i] <= x1) idx.push(i);
  const count = idx.length;
  const smooth = { x: [], y: [] };
  let ema = 0;
  let k = 0;
  const sm = [];
  for (const i of idx) {
    ema = 0.9 * ema + 0.1 * ys[i];
    k++;
    sm.push(ema / (1 - 0.9 ** k));
  }
  if (count <= 2 * W) {
    idx.forEach((i, j) => {
      smooth.x.push(xs[i]);
      smooth.y.push(sm[j]);
    });
    return { count, points: { x: idx.map((i) => xs[i]), y: idx.map((i) => ys[i]) }, columns: null, smooth };
  }
  const cols = new Map();
  idx.forEach((i, j) => {
    const c = Math.min(W - 1, Math.floor(((xs[i] - x0) / (x1 - x0)) * W));
    if (!cols.has(c)) cols.set(c, { x: xs[i], min: ys[i], max: ys[i], first: ys[i], last: ys[i], sx: xs[i], sy: sm[j] });
    const col = cols.get(c);
    col.min = Math.min(col.min, ys[i]);
    col.max = Math.max(col.max, ys[i]);
    col.last = ys[i];
    col.sx = xs[i];
    col.sy = sm[j];
  });
  const list = [...cols.values()];
  return {
    count,
    points: null,
    columns: { x: list.map((c) => c.x), min: list.map((c) => c.min), max: list.map((c) => c.max), first: list.map((c) => c.first), last: list.map((c) => c.last) },
    smooth: { x: list.map((c) => c.sx), y: list.map((c) => c.sy) },
  };
}

function series(run, q) {
  const wall = q.get('x') === 'wall';
  const W = Number(q.get('width') || 800);
  if (run !== live) return { x: wall ? 'wall' : 'steps', range: [0, 0], width: W, bad_lines: 0, series: {} };
  const ex = episodes.map((e) => (wall ? e.at : e.x));
  const tx = train.map((t) => (wall ? t.at : t.x));
  const x0 = q.has('from') ? Number(q.get('from')) : Math.min(ex[0], tx[0]);
  const x1 = q.has('to') ? Number(q.get('to')) : Math.max(ex[ex.length - 1], tx[tx.length - 1]);
  const out = {
    return: decimate(ex, episodes.map((e) => e.ret), x0, x1, W),
    length: decimate(ex, episodes.map((e) => e.len), x0, x1, W),
  };
  for (const k of ['td_loss', 'epsilon', 'q_mean']) out[k] = decimate(tx, train.map((t) => t[k]), x0, x1, W);
  return { x: wall ? 'wall' : 'steps', range: [x0, x1], width: W, bad_lines: 0, series: out };
}

function cartpoleEpisode(n) {
  const stepsList = [];
  let [x, xd, th, thd] = [0, 0, 0.02, 0];
  const len = 60 + (n % 50);
  for (let i = 0; i < len; i++) {
    const a = th > 0 ? 1 : 0;
    stepsList.push({ obs: [x, xd, th, thd], action: a, reward: 1, values: [1 + th * 10, 1 - th * 10], epsilon: 0.1 });
    xd += (a ? 1 : -1) * 0.02;
    x += xd * 0.02;
    thd += Math.sin(th) * 0.3 - (a ? 1 : -1) * 0.01;
    th += thd * 0.02;
  }
  const obsFor = (s) => {
    if (envId.startsWith('Taxi')) return [((s % 25) * 5 + (s % 5)) * 4 + (s % 4)];
    if (envId.startsWith('FrozenLake')) return [s % 16];
    if (envId.startsWith('CliffWalking')) return [36 + (s % 12)];
    if (envId.startsWith('MountainCar')) return [-0.5 + 0.6 * Math.sin(s / 10), 0];
    if (envId.startsWith('Acrobot')) return [Math.cos(s / 10), Math.sin(s / 10), Math.cos(s / 7), Math.sin(s / 7), 0, 0];
    return null;
  };
  stepsList.forEach((s, i) => {
    const o = obsFor(i);
    if (o) s.obs = o;
  });
  return { type: 'episode', episode: n, env_index: 0, return: len, length: len, steps: stepsList, final_obs: stepsList[len - 1].obs, at: Date.now() / 1000 };
}

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const sockets = new Set();
function wsSend(socket, obj) {
  const data = Buffer.from(JSON.stringify(obj));
  let head;
  if (data.length < 126) head = Buffer.from([0x81, data.length]);
  else if (data.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x81;
    head[1] = 126;
    head.writeUInt16BE(data.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(data.length), 2);
  }
  socket.write(Buffer.concat([head, data]));
}
const broadcast = (obj) => sockets.forEach((s) => wsSend(s, obj));
const statusMsg = () => ({ type: 'status', status: live.status, visual: state.visual, speed: state.speed, at: Date.now() / 1000 });

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (p === '/') return res.end(readFileSync(join(ASSETS, 'index.html')));
  if (p.startsWith('/assets/')) {
    const name = p.slice(8);
    try {
      res.writeHead(200, { 'Content-Type': TYPES[name.split('.').pop()] || 'text/plain' });
      return res.end(readFileSync(join(ASSETS, name)));
    } catch {
      return json(res, 404, { error: `no asset ${name}` });
    }
  }
  if (p === '/api/runs') return json(res, 200, { runs });
  const m = p.match(/^\/api\/runs\/([^/]+)(\/.*)?$/);
  if (!m) return json(res, 404, { error: 'no such path' });
  const run = runs.find((r) => r.id === decodeURIComponent(m[1]));
  if (!run) return json(res, 404, { error: `no run ${m[1]}` });
  const rest = m[2] || '';
  let body = '';
  for await (const chunk of req) body += chunk;
  if (rest === '') return json(res, 200, { ...run, config: '[run]\nname = "x"\n[telemetry]\nrecord_episodes = 100\n', summary: run.live ? {} : { episodes: run.episodes }, checkpoints: run === live ? checkpoints : [] });
  if (rest === '/series') return json(res, 200, series(run, url.searchParams));
  if (rest === '/recorded') return json(res, 200, { episodes: run === live ? recorded() : [] });
  const ep = rest.match(/^\/episodes\/(\d+)$/);
  if (ep) {
    const n = Number(ep[1]);
    return n % 100 === 0 ? json(res, 200, cartpoleEpisode(n)) : json(res, 404, { error: `episode ${n} of ${run.id} was not recorded` });
  }
  if (rest === '/control') {
    if (!run.live) return json(res, 409, { error: `run ${run.id} is not live` });
    const c = JSON.parse(body || '{}');
    await new Promise((r) => setTimeout(r, 300));
    if (c.command === 'pause') live.status = 'paused';
    else if (c.command === 'resume') live.status = 'running';
    else if (c.command === 'visual') state.visual = c.value === 'on';
    else if (c.command === 'speed') state.speed = Number(c.value);
    else if (c.command === 'stop') {
      live.status = 'stopped';
      live.live = false;
    } else if (c.command !== 'checkpoint') return json(res, 400, { error: `unknown command ${c.command}` });
    broadcast(statusMsg());
    return json(res, 200, { ok: true, status: live.status, visual: state.visual, speed: state.speed });
  }
  if (/^\/checkpoints\/\d+\/eval$/.test(rest)) {
    await new Promise((r) => setTimeout(r, 500));
    return json(res, 200, { mean_return: 212.5, min_return: 130, max_return: 500, success_rate: null, episodes: 10 });
  }
  if (/^\/checkpoints\/\d+\/warm-start$/.test(rest)) return json(res, 200, { pid: 4242, command: `agora run cfg.toml --warm-start ${run.id}:1` });
  if (/^\/checkpoints\/\d+\/download$/.test(rest)) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    return res.end(Buffer.alloc(16));
  }
  return json(res, 404, { error: `no such path ${rest}` });
});

server.on('upgrade', (req, socket) => {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => sockets.delete(socket));
  socket.on('data', () => {});
  wsSend(socket, { type: 'hello', run: live });
  wsSend(socket, statusMsg());
});

setInterval(() => {
  if (live.status !== 'running') return;
  const e = addEpisode(Date.now() / 1000);
  broadcast({ type: 'episode_summary', episode: e.episode, env_index: 0, episode_return: e.ret, length: e.len, env_steps: e.x, at: e.at });
}, 100);
setInterval(() => {
  if (live.status !== 'running') return;
  addTrain(Date.now() / 1000);
  const t = train[train.length - 1];
  broadcast({ type: 'train', env_steps: t.x, sps: 1500, mean_return: 100, best_mean_return: 120, at: t.at, td_loss: t.td_loss, epsilon: t.epsilon, q_mean: t.q_mean });
}, 1000);
setInterval(() => {
  if (live.status !== 'running' || !state.visual) return;
  broadcast(cartpoleEpisode(episodes.length));
  broadcast({ type: 'frame', step: 3, obs: [0, 0, 0.1, 0], board: null, action: 1, reward: 1, at: Date.now() / 1000 });
}, 2000);

server.listen(port, '127.0.0.1', () => {
  console.log(`dashboard: http://127.0.0.1:${server.address().port}/?run=${live.id}`);
});
