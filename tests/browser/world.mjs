// world.mjs — opens a BDI world run's view in Debian's headless chromium
// for tests/dashboard_browser.rs, waits until the world canvas has been
// drawn for two different world steps (so it follows the run live), takes
// world-view.png and prints one JSON line: {"steps": [..], "info": ".."}.
//
//   node tests/browser/world.mjs URL ARTIFACT_DIR
// stdout: that JSON line only; diagnostics go to stderr. Exit 0 on success.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, artifacts = 'dashboard-artifacts'] = process.argv.slice(2);
const LIMIT_MS = Number(process.env.AGORA_BROWSER_LIMIT_MS || 90_000);

function fail(message, code = 1) {
  process.stderr.write(`world.mjs: ${message}\n`);
  process.exit(code);
}

if (!url) fail('usage: node world.mjs URL ARTIFACT_DIR', 2);
mkdirSync(artifacts, { recursive: true });
const executablePath = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
if (!executablePath) fail('no chromium at /usr/lib/chromium/chromium or /usr/bin/chromium (.ci/run installs it)', 3);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fail(`playwright-core is not installed (${e.message}): run \`npm ci --prefix tests/browser\``, 3);
}

const browser = await chromium.launch({ executablePath, args: ['--headless=new', '--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  const canvas = page.locator('canvas.world-canvas');
  const steps = [];
  const deadline = Date.now() + LIMIT_MS;
  while (new Set(steps).size < 2) {
    if (Date.now() > deadline) {
      await page.screenshot({ path: join(artifacts, 'world-failure.png'), fullPage: true });
      fail(`the world canvas showed steps ${JSON.stringify(steps)} within ${LIMIT_MS} ms; page errors: ${JSON.stringify(errors)}`);
    }
    const step = await canvas.getAttribute('data-world-step', { timeout: Math.max(1, deadline - Date.now()) }).catch(() => null);
    if (step !== null && steps[steps.length - 1] !== Number(step)) steps.push(Number(step));
    await page.waitForTimeout(100);
  }
  const info = await page.locator('.world-info').textContent();
  await page.screenshot({ path: join(artifacts, 'world-view.png'), fullPage: true });
  if (errors.length) fail(`page errors: ${JSON.stringify(errors)}`);
  process.stdout.write(`${JSON.stringify({ steps, info })}\n`);
} finally {
  await browser.close();
}
