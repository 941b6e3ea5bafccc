// pure.test.mjs — unit tests of the page's pure parts (no browser):
// chart scales and ticks, the local series buffer, the grid-world
// decoders, the world-state check, the renderer choice, the
// record_episodes lookup.
//   node --test tests/browser/unit/

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { extent, formatNumber, linearScale, lowerBound, niceTicks, paddedDomain } from '../../../dashboard/assets/chart.js';
import { cliffDecode, frozenLakeDesc, isCliff, isWorldState, stateIndex, taxiDecode, taxiWalls } from '../../../dashboard/assets/grid.js';
import { envKind } from '../../../dashboard/assets/render.js';
import { recordEpisodesSetting } from '../../../dashboard/assets/run.js';
import { formatDuration } from '../../../dashboard/assets/curves.js';
import { LocalSeries, xBounds } from '../../../dashboard/assets/series.js';

test('linear scale maps and inverts', () => {
  const s = linearScale(0, 10, 100, 200);
  assert.equal(s(5), 150);
  assert.equal(s.invert(150), 5);
  assert.equal(linearScale(3, 3, 0, 10)(3), 5);
});

test('nice ticks are round and cover the range', () => {
  assert.deepEqual(niceTicks(0, 500, 5), [0, 100, 200, 300, 400, 500]);
  assert.deepEqual(niceTicks(0.1, 0.95, 4), [0.2, 0.4, 0.6, 0.8]);
  assert.deepEqual(niceTicks(-1, 1, 4), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(7, 7), [7]);
  assert.deepEqual(niceTicks(NaN, 1), []);
  for (const t of niceTicks(0, 650000, 8)) assert.equal(t % 100000, 0);
});

test('extent skips nulls and non-finite values; padding gives flat data height', () => {
  assert.deepEqual(extent([3, null, 1], [NaN, 9]), [1, 9]);
  assert.equal(extent([], null), null);
  assert.deepEqual(paddedDomain([5, 5]), [4.5, 5.5]);
  assert.deepEqual(paddedDomain([0, 0]), [-1, 1]);
});

test('numbers and durations read short', () => {
  assert.equal(formatNumber(650400), '650.4k');
  assert.equal(formatNumber(1.5e6), '1.5M');
  assert.equal(formatNumber(null), '–');
  assert.equal(formatNumber(0.00012), '1.2e-4');
  assert.equal(formatDuration(65), '1m 05s');
  assert.equal(formatDuration(3720), '1h 02m');
});

test('a local series drops live points the next answer holds and counts raw points', () => {
  const s = new LocalSeries();
  s.setBase({ count: 2, points: { x: [1, 2], y: [10, 20] }, columns: null, smooth: { x: [1, 2], y: [10, 15] } }, 2);
  s.append(3, 30, 3);
  s.append(4, 40, 4);
  s.append(3.5, 1, 5); // goes back in x: ignored
  assert.equal(s.count(), 4);
  assert.equal(s.buffered(), 2);
  s.setBase({ count: 3, points: { x: [1, 2, 3], y: [10, 20, 30] }, columns: null, smooth: { x: [], y: [] } }, 3);
  assert.deepEqual(s.extra.x, [4]);
  assert.equal(s.count(), 4);
  assert.equal(s.lastValue(), 40);
  assert.deepEqual(xBounds([s]), [1, 4]);
  const linear = (v) => v * 10;
  assert.deepEqual(s.nearest(21, 0, linear, () => 0), { x: 2, y: 20, episode: 2 });
  assert.equal(s.nearest(40, 0, linear, () => 0).episode, 4);
});

test('columns become a band and a line through the last values', () => {
  const s = new LocalSeries();
  s.setBase({ count: 5000, points: null, columns: { x: [0, 1], min: [1, 2], max: [3, 4], first: [1, 2], last: [2, 3] }, smooth: { x: [0, 1], y: [2, 3] } }, 1);
  const kinds = s.layers('#000').map((l) => l.kind);
  assert.deepEqual(kinds, ['band', 'line', 'line']);
  assert.deepEqual(s.layers('#000', { lastLine: false }).map((l) => l.kind), ['band', 'line'], 'overlaid runs: band and smoothed line');
  assert.equal(s.count(), 5000);
});

test('the rug finds where a range starts by bisection', () => {
  const xs = Float64Array.from([1, 3, 3, 7]);
  assert.deepEqual([0, 1, 2, 3, 4, 8].map((v) => lowerBound(xs, v)), [0, 0, 1, 1, 3, 4]);
  assert.equal(lowerBound(new Float64Array(0), 5), 0);
});

test('tabular observations: an index or a one-hot vector', () => {
  assert.equal(stateIndex([7]), 7);
  assert.equal(stateIndex([0, 0, 1, 0]), 2);
  assert.equal(stateIndex([]), null);
});

test('taxi states decode as Gymnasium encodes them', () => {
  const encode = (row, col, pass, dest) => ((row * 5 + col) * 5 + pass) * 4 + dest;
  assert.deepEqual(taxiDecode(encode(3, 1, 2, 0)), { row: 3, col: 1, passenger: 2, destination: 0 });
  assert.deepEqual(taxiDecode(encode(4, 4, 4, 3)), { row: 4, col: 4, passenger: 4, destination: 3 });
  assert.equal(taxiWalls().length, 6);
});

test('frozen lake maps and cliff cells', () => {
  assert.equal(frozenLakeDesc({ id: 'FrozenLake-v1', params: {} }).length, 4);
  assert.equal(frozenLakeDesc({ id: 'FrozenLake-v1', params: { map_name: '8x8' } }).length, 8);
  assert.equal(frozenLakeDesc({ id: 'FrozenLake8x8-v1', params: {} }).length, 8);
  assert.deepEqual(frozenLakeDesc({ id: 'FrozenLake-v1', params: { desc: ['SF', 'HG'] } }), ['SF', 'HG']);
  assert.deepEqual(cliffDecode(47), { row: 3, col: 11 });
  assert.ok(isCliff(3, 1) && isCliff(3, 10) && !isCliff(3, 0) && !isCliff(3, 11) && !isCliff(2, 5));
});

test('a gold-miners world state is checked before it is drawn', () => {
  const state = {
    width: 4, height: 3, obstacles: [[3, 0]], gold: [[2, 0]], depot: [2, 1],
    miners: [{ x: 1, y: 1, carrying: false }, { x: 3, y: 2, carrying: true }], steps: 3, delivered: 0, num_gold: 2,
  };
  assert.ok(isWorldState(state));
  assert.ok(!isWorldState({ ...state, gold: [[4, 0]] }), 'nugget outside the grid');
  assert.ok(!isWorldState({ ...state, miners: [{ x: 0, y: 3 }] }), 'miner outside the grid');
  assert.ok(!isWorldState({ ...state, depot: null }));
  assert.ok(!isWorldState('..G#\n.0D.\n'));
  assert.ok(!isWorldState(null));
});

test('the renderer follows the env id', () => {
  assert.equal(envKind({ id: 'CartPole-v1' }), 'cartpole');
  assert.equal(envKind({ id: 'MountainCar-v0' }), 'mountaincar');
  assert.equal(envKind({ id: 'Acrobot-v1' }), 'acrobot');
  assert.equal(envKind({ id: 'Taxi-v3' }), 'taxi');
  assert.equal(envKind({ id: 'CliffWalking-v0' }), 'cliffwalking');
  assert.equal(envKind({ id: 'FrozenLake8x8-v1' }), 'frozenlake');
  assert.equal(envKind(null), 'generic');
  assert.equal(envKind({ id: 'Pendulum-v1' }), 'generic');
});

test('record_episodes is read from the [telemetry] section only', () => {
  assert.equal(recordEpisodesSetting('[run]\nrecord_episodes = 1\n[telemetry]\nrecord_episodes = 100 # every 100th\n'), '100');
  assert.equal(recordEpisodesSetting('[run]\nname = "x"\n'), null);
  assert.equal(recordEpisodesSetting(null), null);
});
