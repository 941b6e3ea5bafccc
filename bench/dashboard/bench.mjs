// bench/dashboard/bench.mjs — the dashboard's numbers, measured side by side
// on one machine in one run (issue: web dashboard, "Performance"):
//
//   big    a real FrozenLake Q-learning run of 1,000,000 episodes (events.jsonl
//          and TensorBoard files both written by that run); time to first
//          curve: Agora = `agora dashboard` process start -> the run view's
//          return chart drawn in headless chromium; TensorBoard = `tensorboard
//          --logdir` process start -> its scalars endpoint answers the return
//          series (a lower bound for TB: its page still has to draw). Alternating,
//          REPEATS times each. Also the live redraw cost with 10 runs overlaid.
//   live   a DQN CartPole run with `--dashboard` and one tab (visual on, the page
//          turns it on): episode end (the run's `at` stamp) -> first frame of
//          that episode painted, from the page's window.__agoraLatency hook.
//   sps    the same DQN config for a fixed number of steps: no dashboard vs a
//          dashboard tab open with visual on vs 20 WebSocket tabs; steps/s from
//          the run's train events after its first --settle-s seconds (the
//          browser starting is not a tab open), alternating.
//   tabs   20 tabs on one run: every tab must get every episode (counted
//          against events.jsonl); server memory per tab = RSS slope of an
//          `agora dashboard` process from 0 to 20 tabs.
//
//   node --experimental-websocket bench/dashboard/bench.mjs [--agora target/release/agora]
//        [--tensorboard PATH] [--repeats 3] [--episodes 1000000] [--only big,live,sps,tabs]
// Writes bench/dashboard/results/<stamp>.json; `python3 bench/dashboard/table.py` makes
// the README table from those files. Needs `npm ci --prefix tests/browser`
// and Debian chromium; TensorBoard from a venv (bench/.venv-tb, made on first use).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, word, i, all) => (word.startsWith('--') ? [...pairs, [word.slice(2), all[i + 1]]] : pairs), []),
);
const AGORA = resolve(args.agora || join(repo, 'target/release/agora'));
const REPEATS = Number(args.repeats || 3);
const EPISODES = Number(args.episodes || 1_200_000);
const TB_LIMIT_MS = Number(args['tb-limit-s'] || 240) * 1000;
const ONLY = new Set((args.only || 'big,live,sps,tabs').split(','));
const require = createRequire(join(repo, 'tests/browser/package.json'));
const { chromium } = require('playwright-core');
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : null; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null; };
const spread = (xs) => (xs.length ? [Math.min(...xs), Math.max(...xs)] : null);

function agora(data, words, options = {}) {
  return spawn(AGORA, ['--data-dir', data, ...words], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function firstLine(child, prefix, limitMs = 60_000) {
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${prefix}" line within ${limitMs} ms`)), limitMs);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith(prefix)) { clearTimeout(timer); resolveLine(line.slice(prefix.length).trim()); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code} before "${prefix}"`)); });
  });
}

const exited = (child) => new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));

async function runToEnd(data, words) {
  const child = agora(data, words);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', () => {});
  const code = await exited(child);
  if (code !== 0) throw new Error(`agora ${words.join(' ')} exited ${code}\n${out}`);
  return out;
}

function runRecord(data, id) {
  return JSON.parse(execFileSync(AGORA, ['--data-dir', data, '--json', 'runs', 'show', id]).toString()).run;
}

function onlyRun(data) {
  return readdirSync(join(data, 'runs'))[0];
}

function writeConfig(dir, name, text) {
  const path = join(dir, `${name}.toml`);
  writeFileSync(path, text);
  return path;
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

async function newBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-dev-shm-usage'] });
}

// ---- big: 1M episodes, time to first curve, Agora vs TensorBoard ----------

function tensorboardBinary() {
  if (args.tensorboard) return args.tensorboard;
  const venv = join(repo, 'bench/.venv-tb');
  const bin = join(venv, 'bin/tensorboard');
  if (!existsSync(bin)) {
    log('creating bench/.venv-tb with tensorboard 2.18');
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(join(venv, 'bin/pip'), ['install', '-q', 'tensorboard==2.18.0', 'setuptools<81'], { stdio: 'inherit' });
  }
  return bin;
}

async function agoraFirstCurve(browser, data, run) {
  const started = performance.now();
  const server = agora(data, ['dashboard', '--dashboard-port', '0']);
  server.stderr.on('data', () => {});
  const url = await firstLine(server, 'dashboard:');
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const navigation = performance.now();
  await page.goto(`${url}?run=${run}`);
  await page.waitForFunction(() => {
    const canvas = document.querySelector('canvas[data-curve-points]');
    return canvas && Number(canvas.dataset.curvePoints) > 0;
  }, null, { timeout: 120_000 });
  const drawn = performance.now();
  const points = await page.evaluate(() => Number(document.querySelector('canvas[data-curve-points]').dataset.curvePoints));
  await page.close();
  server.kill('SIGINT');
  await exited(server);
  return { from_process_start_s: (drawn - started) / 1000, from_navigation_s: (drawn - navigation) / 1000, points };
}

// TensorBoard answers while it is still loading, with a reservoir sample
// of what it has read so far: its first answer and the one that reaches the
// run's last step are both recorded.
async function tensorboardFirstCurve(tensorboard, logdir, lastStep) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const started = performance.now();
  const tb = spawn(tensorboard, ['--logdir', logdir, '--port', String(port), '--bind_all', '--load_fast', 'false'], { stdio: 'ignore' });
  let points = 0;
  let first = null;
  for (;;) {
    if (performance.now() - started > TB_LIMIT_MS) { tb.kill('SIGKILL'); await exited(tb); return { from_process_start_s: null, first_partial_answer_s: first, timed_out_after_s: TB_LIMIT_MS / 1000, points }; }
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/data/plugin/scalars/scalars?run=.&tag=episode%2Freturn`);
      if (answer.ok) {
        const series = await answer.json();
        if (Array.isArray(series) && series.length > 0) {
          first ??= (performance.now() - started) / 1000;
          points = series.length;
          if (series[series.length - 1][1] >= lastStep) break;
        }
      }
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  const answered = performance.now();
  tb.kill('SIGKILL');
  await exited(tb);
  return { from_process_start_s: (answered - started) / 1000, first_partial_answer_s: first, points };
}

async function big(results) {
  // --big-data DIR reuses a data dir an earlier big phase trained (and
  // --no-tensorboard leaves the slow peer out of a rerun).
  const reuse = args['big-data'];
  const data = reuse || mkdtempSync(join(tmpdir(), 'agora-bench-dash-big-'));
  const config = reuse ? null : writeConfig(data, 'frozenlake-1m', `[run]\nname = "frozenlake-1m"\n\n[learner]\nalgorithm = "q_learning"\nseed = 1\n\n[env]\nid = "FrozenLake-v1"\nparams = { map_name = "4x4", is_slippery = true }\n\n[q_learning]\ntotal_episodes = ${EPISODES}\nlearning_rate = 0.1\ngamma = 0.99\nepsilon_decay = 0.99999\n\n[telemetry]\ntensorboard = true\n`);
  if (!reuse) {
    log(`big: training ${EPISODES} episodes`);
    await runToEnd(data, ['--broker', 'embedded:0', 'run', config, '--quiet']);
  }
  const run = onlyRun(data);
  const events = readFileSync(join(data, 'runs', run, 'events.jsonl'), 'utf8');
  const episodeLines = events.split('\n').filter((l) => l.startsWith('{"event":"episode"')).length;
  log(`big: ${episodeLines} episode events in events.jsonl (${(events.length / 1e6).toFixed(0)} MB)`);
  const lastLine = events.split('\n').filter((l) => l.startsWith('{"event":"episode"')).pop();
  const lastStep = JSON.parse(lastLine).env_steps;
  const tensorboard = 'no-tensorboard' in args ? null : tensorboardBinary();
  const browser = await newBrowser();
  const agoraTimes = [];
  const tbTimes = [];
  for (let i = 0; i < REPEATS; i++) {
    const a = await agoraFirstCurve(browser, data, run);
    log(`big: agora first curve ${a.from_process_start_s.toFixed(3)} s from process start (${a.points} points)`);
    agoraTimes.push(a);
    if ('no-tensorboard' in args) continue;
    const t = await tensorboardFirstCurve(tensorboard, join(data, 'runs', run, 'tensorboard'), lastStep);
    log(`big: tensorboard scalars ${t.from_process_start_s === null ? `none within ${t.timed_out_after_s} s` : `${t.from_process_start_s.toFixed(3)} s`} from process start (${t.points} points)`);
    tbTimes.push(t);
  }
  const overlay = await overlayRedraw(browser, data, run);
  await browser.close();
  // A rerun without TensorBoard is kept apart, so the table still takes the
  // peer comparison from a run that had both.
  results['no-tensorboard' in args ? 'big_rerun' : 'big'] = {
    episodes_trained: EPISODES,
    episode_events: episodeLines,
    events_bytes: events.length,
    agora: agoraTimes,
    tensorboard: tbTimes,
    agora_median_s: median(agoraTimes.map((t) => t.from_process_start_s)),
    tensorboard_median_s: median(tbTimes.map((t) => t.from_process_start_s ?? Infinity)),
    overlay,
  };
}

// Redraw cost with 10 runs overlaid: the same 1M-episode run 10 times in
// compare mode, one redraw timed by the page's own requestAnimationFrame.
async function overlayRedraw(browser, data, run) {
  const server = agora(data, ['dashboard', '--dashboard-port', '0']);
  server.stderr.on('data', () => {});
  const url = await firstLine(server, 'dashboard:');
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const ids = Array(10).fill(run).join(',');
  await page.goto(`${url}?compare=${ids}`);
  await page.waitForFunction(() => {
    const canvas = document.querySelector('canvas[data-curve-points]');
    return canvas && Number(canvas.dataset.curvePoints) > 0;
  }, null, { timeout: 120_000 });
  const redraws = await page.evaluate(async () => {
    const hook = window.__agoraRedraw;
    if (typeof hook !== 'function') return null;
    const time = async (only) => {
      const times = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        hook(only);
        times.push(performance.now() - t0);
        await new Promise((r) => requestAnimationFrame(r));
      }
      return times;
    };
    return { all: await time(undefined), return_only: await time('return') };
  });
  await page.close();
  server.kill('SIGINT');
  await exited(server);
  return redraws
    ? {
        redraw_ms_p50: median(redraws.all),
        redraw_ms_max: Math.max(...redraws.all),
        return_chart_ms_p50: median(redraws.return_only),
        return_chart_ms_max: Math.max(...redraws.return_only),
        samples: redraws.all.length,
      }
    : { note: 'page has no window.__agoraRedraw hook' };
}

// ---- live: episode end -> frame drawn ---------------------------------------

function dqnConfig(dir, steps) {
  const text = readFileSync(join(repo, 'configs/cartpole-dqn.toml'), 'utf8');
  return writeConfig(dir, 'dqn', text.replace(/total_timesteps\s*=\s*[0-9_]+/, `total_timesteps = ${steps}`));
}

async function live(results) {
  const data = mkdtempSync(join(tmpdir(), 'agora-bench-dash-live-'));
  const config = dqnConfig(data, 2_000_000);
  const child = agora(data, ['--broker', 'embedded:0', 'run', config, '--dashboard', '--dashboard-port', '0', '--quiet']);
  child.stderr.on('data', () => {});
  const url = await firstLine(child, 'dashboard:');
  const browser = await newBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  // The page paints the newest arrived episode at most 10 times a second.
  const wanted = Number(args['live-episodes'] || 1000);
  await page.waitForFunction((n) => (window.__agoraLatency || []).filter((e) => e.drawn).length >= n, wanted, { timeout: 300_000, polling: 500 });
  const all = await page.evaluate(() => window.__agoraLatency.map((e) => ({ ...e })));
  const skipped = await page.evaluate(() => window.__agoraEpisodesSkipped || 0);
  const samples = all.filter((e) => e.drawn);
  await browser.close();
  child.kill('SIGINT');
  await exited(child);
  const latency = samples.map((e) => e.drawn - e.at);
  const arrival = samples.map((e) => e.arrived - e.at);
  // Where the time goes: the run and its broker up to the dashboard server
  // (relayed), the server, socket and page's queue up to onmessage (arrived).
  const relayed = samples.filter((e) => Number.isFinite(e.relayed));
  const toRelay = relayed.map((e) => e.relayed - e.at);
  const relayToArrival = relayed.map((e) => e.arrived - e.relayed);
  const stats = (xs) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: xs.length ? Math.max(...xs) : null });
  results.live = {
    episodes: samples.length,
    arrived: all.length,
    superseded: all.filter((e) => e.superseded).length,
    // Not sent to the tab at all (the server sends at most 25 a second).
    skipped_by_server: skipped,
    end_to_drawn_ms: stats(latency),
    end_to_arrival_ms: stats(arrival),
    end_to_relay_ms: stats(toRelay),
    relay_to_arrival_ms: stats(relayToArrival),
  };
  log(`live: ${JSON.stringify(results.live)}`);
}

// ---- sps: no dashboard / one tab visual on / 20 tabs -------------------------

async function openTabs(url, run, n) {
  const base = url.replace(/^http/, 'ws').replace(/\/\?.*$/, '').replace(/\/$/, '');
  const tabs = [];
  for (let i = 0; i < n; i++) {
    // A tab sees the episodes from when it connected: it must get every
    // one from its first to its last.
    const counts = { episode_summary: 0, first: null, last: null, dropped: 0 };
    const socket = new WebSocket(`${base}/api/runs/${run}/live`);
    socket.onmessage = (m) => {
      const message = JSON.parse(m.data);
      if (message.type === 'episode_summary') {
        counts.episode_summary += 1;
        counts.first ??= message.episode;
        counts.last = message.episode;
      }
      if (message.type === 'dropped') counts.dropped = message.count;
    };
    await new Promise((r, j) => { socket.onopen = r; socket.onerror = j; });
    tabs.push({ socket, counts });
  }
  return tabs;
}

async function spsOnce(mode, steps) {
  const data = mkdtempSync(join(tmpdir(), `agora-bench-dash-sps-${mode}-`));
  const config = dqnConfig(data, steps);
  const words = ['--broker', 'embedded:0', 'run', config, '--quiet'];
  if (mode !== 'plain') words.push('--dashboard', '--dashboard-port', '0');
  const child = agora(data, words);
  child.stderr.on('data', () => {});
  let browser = null;
  let tabs = [];
  if (mode !== 'plain') {
    const url = await firstLine(child, 'dashboard:');
    const run = new URL(url).searchParams.get('run');
    if (mode === 'tab') {
      browser = await newBrowser();
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(url);
    } else {
      tabs = await openTabs(url, run, 20);
    }
  }
  await exited(child);
  if (browser) await browser.close();
  tabs.forEach((t) => t.socket.close());
  const run = onlyRun(data);
  const record = runRecord(data, run);
  const lines = readFileSync(join(data, 'runs', run, 'events.jsonl'), 'utf8').split('\n');
  const episodes = lines.filter((l) => l.startsWith('{"event":"episode"')).length;
  return {
    mode,
    sps: steadySps(lines),
    whole_run_sps: record.digest.env_steps / record.digest.wall_seconds,
    env_steps: record.digest.env_steps,
    wall_seconds: record.digest.wall_seconds,
    episodes_in_file: episodes,
    tabs: tabs.map((t) => t.counts),
  };
}

// Steps/s once the tab is open: the train events' steps over their time,
// from SETTLE_S after the run started to its end (the browser's own start,
// a second or two of both cores, is not "a tab open"). The same window in
// every mode.
const SETTLE_S = Number(args['settle-s'] || 8);
function steadySps(lines) {
  const events = lines.filter((l) => l.startsWith('{"event":')).map((l) => JSON.parse(l));
  const started = events.find((e) => e.event === 'run_started').at;
  const train = events.filter((e) => e.event === 'train' && e.at >= started + SETTLE_S);
  if (train.length < 2) throw new Error(`fewer than 2 train events after ${SETTLE_S} s: run more steps (--sps-steps)`);
  const [first, last] = [train[0], train[train.length - 1]];
  return (last.env_steps - first.env_steps) / (last.at - first.at);
}

async function sps(results) {
  const steps = Number(args['sps-steps'] || 400_000);
  const rounds = [];
  for (let i = 0; i < REPEATS; i++) {
    for (const mode of ['plain', 'tab', 'tabs20']) {
      const round = await spsOnce(mode, steps);
      log(`sps: ${mode} ${round.sps.toFixed(0)} steps/s${round.tabs.length ? `, tabs missed ${Math.max(...round.tabs.map((t) => t.last - t.first + 1 - t.episode_summary))} episodes at most (dropped counts ${Math.max(...round.tabs.map((t) => t.dropped))})` : ''}`);
      rounds.push(round);
    }
  }
  const by = (mode) => rounds.filter((r) => r.mode === mode).map((r) => r.sps);
  results.sps = {
    steps,
    settle_s: SETTLE_S,
    rounds,
    median: { plain: median(by('plain')), tab: median(by('tab')), tabs20: median(by('tabs20')) },
    spread: { plain: spread(by('plain')), tab: spread(by('tab')), tabs20: spread(by('tabs20')) },
  };
}

// ---- tabs: server memory per tab --------------------------------------------

async function tabs(results) {
  const data = mkdtempSync(join(tmpdir(), 'agora-bench-dash-tabs-'));
  const config = dqnConfig(data, 2_000_000);
  const run = agora(data, ['--broker', 'embedded:0', 'run', config, '--quiet']);
  run.stderr.on('data', () => {});
  for (let i = 0; i < 200 && !existsSync(join(data, 'runs')); i++) await sleep(50);
  await sleep(1000);
  const id = onlyRun(data);
  const server = agora(data, ['dashboard', '--dashboard-port', '0']);
  server.stderr.on('data', () => {});
  const url = await firstLine(server, 'dashboard:');
  const points = [];
  const open = [];
  for (const n of [0, 5, 10, 20]) {
    open.push(...(await openTabs(url, id, n - open.length)));
    await sleep(3000);
    points.push({ tabs: n, rss_kib: rssKiB(server.pid) });
  }
  open.forEach((t) => t.socket.close());
  server.kill('SIGINT');
  run.kill('SIGINT');
  await Promise.all([exited(server), exited(run)]);
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.tabs, 0) / n;
  const my = points.reduce((s, p) => s + p.rss_kib, 0) / n;
  const slope = points.reduce((s, p) => s + (p.tabs - mx) * (p.rss_kib - my), 0) / points.reduce((s, p) => s + (p.tabs - mx) ** 2, 0);
  results.tabs = { points, kib_per_tab: slope };
  log(`tabs: ${slope.toFixed(0)} KiB per tab (${JSON.stringify(points)})`);
}

const results = {
  date: new Date().toISOString(),
  agora: AGORA,
  load_before: loadavg(),
  chromium: execFileSync(CHROMIUM, ['--version']).toString().trim(),
};
if (ONLY.has('big')) await big(results);
if (ONLY.has('live')) await live(results);
if (ONLY.has('sps')) await sps(results);
if (ONLY.has('tabs')) await tabs(results);
results.load_after = loadavg();
const out = join(repo, 'bench/dashboard/results');
mkdirSync(out, { recursive: true });
const file = join(out, `${results.date.replace(/[-:]/g, '').slice(0, 15)}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${file}`);
