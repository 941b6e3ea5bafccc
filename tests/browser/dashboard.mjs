// dashboard.mjs — drives the dashboard's run view in Debian's headless
// chromium (playwright-core, no browser download) for tests/dashboard_browser.rs:
// waits for the return curve and a live episode frame (the page's data-*
// hooks, never sleeps), pauses, prints {"paused_confirmed": true, ...} and
// waits for "continue" on stdin (the Rust side checks `agora runs show`
// meanwhile), resumes, opens a checkpoint marker, evaluates and downloads it, takes
// run-view.png, and prints a last JSON line with what it saw.
//
//   node tests/browser/dashboard.mjs URL ARTIFACT_DIR
//   (or AGORA_DASHBOARD_URL / AGORA_ARTIFACT_DIR)
// stdout: JSON lines only; diagnostics go to stderr. Exit 0 on success.

import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const url = process.argv[2] || process.env.AGORA_DASHBOARD_URL;
const artifacts = process.argv[3] || process.env.AGORA_ARTIFACT_DIR || 'dashboard-artifacts';
const OVERALL_MS = Number(process.env.AGORA_BROWSER_LIMIT_MS || 170_000);
const STEP_MS = 60_000;

function fail(message, code = 1) {
  process.stderr.write(`dashboard.mjs: ${message}\n`);
  process.exit(code);
}

if (!url) fail('usage: node dashboard.mjs URL ARTIFACT_DIR', 2);
mkdirSync(artifacts, { recursive: true });

const executablePath = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
if (!executablePath) fail('no chromium at /usr/lib/chromium/chromium or /usr/bin/chromium: install Debian\'s `chromium` (.ci/run does it)', 3);

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fail(`playwright-core is not installed (${e.message}): run \`npm ci --prefix tests/browser\` (.ci/run does it)`, 3);
}

const log = (text) => process.stderr.write(`dashboard.mjs: ${text}\n`);
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const lines = createInterface({ input: process.stdin });
const waiting = [];
const early = [];
lines.on('line', (line) => {
  const w = waiting.shift();
  if (w) w(line.trim());
  else early.push(line.trim());
});
function nextLine(ms) {
  if (early.length) return Promise.resolve(early.shift());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line on stdin within ${ms / 1000} s`)), ms);
    waiting.push((line) => {
      clearTimeout(timer);
      resolve(line);
    });
  });
}

const browser = await chromium.launch({
  executablePath,
  args: ['--headless=new', '--no-sandbox', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const pageErrors = [];
const consoleLines = [];
page.on('pageerror', (e) => {
  pageErrors.push(String(e && e.stack ? e.stack : e));
  log(`page error: ${e}`);
});
page.on('console', (m) => {
  consoleLines.push(`${m.type()}: ${m.text()}`);
  if (consoleLines.length > 200) consoleLines.shift();
});

let stage = 'start';
async function failWithScreenshot(error) {
  const shot = join(artifacts, 'failure.png');
  try {
    await page.screenshot({ path: shot, fullPage: true });
  } catch {
    // the page may be gone
  }
  let messages = '';
  try {
    messages = await page.evaluate(() => document.getElementById('messages')?.innerText || '');
  } catch {
    // ditto
  }
  log(`FAILED at "${stage}": ${error && error.message ? error.message : error}`);
  if (messages) log(`page messages:\n${messages}`);
  if (consoleLines.length) log(`console (last lines):\n${consoleLines.slice(-30).join('\n')}`);
  log(`failure screenshot: ${shot}`);
  await browser.close().catch(() => {});
  process.exit(1);
}

const overall = setTimeout(() => failWithScreenshot(new Error(`over the overall limit of ${OVERALL_MS / 1000} s`)), OVERALL_MS);

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

try {
  stage = 'open the run view';
  await page.goto(url, { waitUntil: 'load', timeout: STEP_MS });

  stage = 'the return curve has points';
  await page.waitForFunction(() => Number(document.getElementById('return-chart')?.dataset.curvePoints) > 0, null, { timeout: STEP_MS });

  stage = 'a live episode frame is drawn';
  await page.waitForFunction(() => document.getElementById('episode-canvas')?.dataset.episodeDrawn !== undefined, null, { timeout: STEP_MS });
  const episodeDrawn = Number(await page.getAttribute('#episode-canvas', 'data-episode-drawn'));

  stage = 'pause';
  await page.click('button.control-pause', { timeout: STEP_MS });
  await page.waitForFunction(() => document.body.dataset.controlState === 'paused', null, { timeout: STEP_MS });
  emit({ paused_confirmed: true, episode_drawn: episodeDrawn });

  stage = 'wait for "continue" on stdin';
  const line = await nextLine(STEP_MS);
  if (line !== 'continue') throw new Error(`expected "continue" on stdin, got ${JSON.stringify(line)}`);

  stage = 'resume';
  await page.click('button.control-resume', { timeout: STEP_MS });
  await page.waitForFunction(() => document.body.dataset.controlState === 'running', null, { timeout: STEP_MS });

  stage = 'a checkpoint marker on the return chart';
  const markers = async () => JSON.parse((await page.getAttribute('#return-chart', 'data-markers')) || '[]');
  let found = (await markers()).length > 0;
  if (!found) {
    // No periodic checkpoint yet: make one and wait for its marker.
    await page.click('button.control-checkpoint', { timeout: STEP_MS });
    await page.waitForFunction(() => JSON.parse(document.getElementById('return-chart')?.dataset.markers || '[]').length > 0, null, { timeout: STEP_MS });
    found = true;
  }
  // The newest checkpoint (older ones may be pruned: [store] keep_checkpoints).
  // Live points keep widening the x axis, so markers drift left: read the
  // position and click at once, and try again if the click missed.
  const chart = await page.$('#return-chart');
  let marker = null;
  for (let attempt = 1; ; attempt++) {
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    marker = (await markers()).reduce((a, b) => (b.px > a.px ? b : a));
    await page.mouse.click(box.x + marker.px, box.y + marker.py);
    try {
      await page.waitForSelector('.checkpoint-panel:not([hidden]) .eval-button', { timeout: 3000 });
      break;
    } catch (e) {
      if (attempt >= 5) throw new Error(`clicking checkpoint marker ${marker.label} opened no panel in ${attempt} tries`);
      log(`click on marker ${marker.label} missed (try ${attempt}); again`);
    }
  }

  stage = 'eval the checkpoint';
  await page.fill('.checkpoint-panel .eval-episodes', '5');
  await page.click('.checkpoint-panel .eval-button');
  await page.waitForSelector('[data-eval]', { timeout: 90_000 });
  const evalText = await page.getAttribute('[data-eval]', 'data-eval');

  stage = 'download the checkpoint';
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    page.click('.checkpoint-panel .download-button'),
  ]);
  const downloaded = (await readFile(await download.path())).length;

  stage = 'screenshot';
  const shot = join(artifacts, 'run-view.png');
  await page.screenshot({ path: shot, fullPage: true });

  stage = 'collect';
  const seen = await page.evaluate(() => ({
    points: Number(document.getElementById('return-chart').dataset.curvePoints),
    episode_drawn: Number(document.getElementById('episode-canvas').dataset.episodeDrawn),
    control_state: document.body.dataset.controlState,
    messages: document.getElementById('messages').innerText,
    latency: (window.__agoraLatency || []).map((e) => ({ drawn: e.drawn === null ? null : e.drawn - e.at, arrived: e.arrived - e.at })),
  }));
  const drawn = seen.latency.map((e) => e.drawn).filter((v) => v !== null).sort((a, b) => a - b);
  const arrived = seen.latency.map((e) => e.arrived).sort((a, b) => a - b);
  if (pageErrors.length) throw new Error(`uncaught errors in the page:\n${pageErrors.join('\n')}`);
  clearTimeout(overall);
  emit({
    done: true,
    points: seen.points,
    episode_drawn: seen.episode_drawn,
    control_state: seen.control_state,
    marker: marker.label,
    eval: evalText,
    download_bytes: downloaded,
    screenshot: shot,
    page_messages: seen.messages,
    latency_ms: {
      episodes: seen.latency.length,
      drawn_samples: drawn.length,
      drawn_p50: percentile(drawn, 50),
      drawn_p99: percentile(drawn, 99),
      arrived_p50: percentile(arrived, 50),
      arrived_p99: percentile(arrived, 99),
    },
  });
  await browser.close();
  process.exit(0);
} catch (e) {
  await failWithScreenshot(e);
}
