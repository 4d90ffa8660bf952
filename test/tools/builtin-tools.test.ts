/**
 * The opt-in built-ins: time (IANA zones), timer (fires a callback and an event), and the
 * calculator's own parser (precedence, functions, errors, and no way to reach JavaScript).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBuiltinTools, parseBuiltinNames, type TimerInfo } from '../../src/tools/builtin-tools.js';
import { evaluateExpression } from '../../src/tools/calculator.js';
import { UsageError } from '../../src/errors.js';

const ctx = { signal: new AbortController().signal, callId: 'call_test' };
const FIXED = new Date('2025-03-30T00:30:00Z');

test('--builtin-tools takes a comma list (or all); unknown names are a UsageError listing what exists', () => {
  assert.deepEqual(parseBuiltinNames('time, calculator,time'), ['time', 'calculator']);
  assert.deepEqual(parseBuiltinNames('all'), ['time', 'timer', 'calculator']);
  assert.throws(() => parseBuiltinNames('time,weather'), (error: unknown) => error instanceof UsageError
    && error.message === '--builtin-tools: unknown tool "weather" (available: time, timer, calculator, or all)');
  assert.throws(() => parseBuiltinNames(' , '), UsageError);
  const { tools } = createBuiltinTools(['calculator', 'time']);
  assert.deepEqual(tools.map((tool) => [tool.name, tool.source, tool.needsApproval ?? false]), [['calculator', 'builtin', false], ['time', 'builtin', false]]);
});

test('time answers in the named IANA zone with its offset (DST included), and refuses unknown zones', async () => {
  const { tools: [time] } = createBuiltinTools('time', { now: () => FIXED });
  assert.deepEqual(await time!.handler({ timezone: 'Asia/Tokyo' }, ctx), {
    timezone: 'Asia/Tokyo', iso: '2025-03-30T09:30:00+09:00', date: 'Sunday, March 30, 2025', time: '09:30:00', weekday: 'Sunday', utc_offset: '+09:00',
  });
  const paris = await time!.handler({ timezone: 'Europe/Paris' }, ctx) as Record<string, string>;
  assert.equal(paris.iso, '2025-03-30T01:30:00+01:00', 'an hour before the spring change');
  const utc = await time!.handler({ timezone: 'UTC' }, ctx) as Record<string, string>;
  assert.equal(utc.iso, '2025-03-30T00:30:00Z');
  assert.throws(() => time!.handler({ timezone: 'Mars/Olympus_Mons' }, ctx), /unknown time zone "Mars\/Olympus_Mons"/);
  const local = await time!.handler({}, ctx) as Record<string, string>;
  assert.equal(local.timezone, Intl.DateTimeFormat().resolvedOptions().timeZone);
});

test('timer answers at once with when it fires, then calls onTimerFired and emits fired (mock timers)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const fired: TimerInfo[] = [];
  const builtins = createBuiltinTools('timer', { onTimerFired: (timer) => fired.push(timer) });
  const [timer] = builtins.tools;
  const emitted = new Promise<TimerInfo>((resolve) => builtins.timers.once('fired', resolve));
  const answer = await timer!.handler({ seconds: 0.15, label: 'tea' }, ctx) as Record<string, unknown>;
  assert.equal(answer.label, 'tea');
  assert.equal(answer.fires_in_seconds, 0.15);
  assert.match(String(answer.timer_id), /^timer_[0-9a-f]{8}$/);
  assert.deepEqual(builtins.pendingTimers().map((pending) => pending.label), ['tea']);
  t.mock.timers.tick(149);
  assert.equal(fired.length, 0, 'not yet');
  t.mock.timers.tick(1);
  const info = await emitted;
  assert.equal(info.id, answer.timer_id);
  assert.deepEqual(fired.map((firedTimer) => firedTimer.label), ['tea']);
  assert.deepEqual(builtins.pendingTimers(), []);
  assert.throws(() => timer!.handler({}, ctx), /give a duration/);
  assert.throws(() => timer!.handler({ hours: 25 }, ctx), /limited to 24 hours/);
  assert.throws(() => timer!.handler({ minutes: -1 }, ctx), /minutes must be a number ≥ 0/);
  await timer!.handler({ minutes: 5 }, ctx);
  builtins.close();
  assert.deepEqual(builtins.pendingTimers(), []);
});

test('calculator: precedence, associativity, functions, constants and tidy results', async () => {
  const cases: Array<[string, number]> = [
    ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['2 ^ 3 ^ 2', 512], ['-2^2', -4], ['2**-1', 0.5], ['10 % 4', 2],
    ['sqrt(16) + abs(-3)', 7], ['round(2.345, 2)', 2.35], ['max(1, 7, 3)', 7], ['log(1000)', 3],
    ['log(8, 2)', 3], ['2pi', 2 * Math.PI], ['3(4 + 5)', 27], ['5!', 120], ['1e3 / 4', 250], ['1_000 × 2 − 1', 1999], ['-(-3)', 3],
  ];
  const { tools: [calculator] } = createBuiltinTools('calculator');
  for (const [expression, expected] of cases) {
    assert.equal(evaluateExpression(expression), expected, expression);
  }
  assert.deepEqual(await calculator!.handler({ expression: '0.1 + 0.2' }, ctx), { expression: '0.1 + 0.2', result: 0.3 });
});

test('calculator refuses anything that is not arithmetic, with a reason, and never reaches JavaScript', () => {
  const cases: Array<[string, RegExp]> = [
    ['1 / 0', /division by zero/],
    ['sqrt(-1)', /not a number/],
    ['2 +', /ends too early/],
    ['(1 + 2', /expected "\)" at the end/],
    ['1 2', /unexpected "2" at position 3/],
    ['process.exit(1)', /unexpected "\." at position 8/],
    ['constructor', /unknown name "constructor"/],
    ['toString(1)', /unknown name "tostring"/],
    ['__proto__', /unexpected "_" at position 1/],
    ['"a"', /unexpected "\\"" at position 1/],
    ['max()', /max takes 1 to 100 arguments/],
    ['(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))', /nested too deeply/],
    ['', /empty/],
    ['1'.repeat(1001), /longer than 1000/],
  ];
  for (const [expression, pattern] of cases) assert.throws(() => evaluateExpression(expression), pattern, expression);
});
