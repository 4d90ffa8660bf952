import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BudgetTracker } from '../../src/cost/budget.js';

describe('BudgetTracker --max-cost', () => {
  it('is ok below 80 %, warns once on crossing it, stops on reaching 100 %', () => {
    const budget = new BudgetTracker({ maxCostUsd: 1 });
    assert.equal(budget.addCost(0.5).level, 'ok');
    assert.equal(budget.addCost(0.29).level, 'ok'); // 0.79
    const warn = budget.addCost(0.02); // 0.81
    assert.ok(warn.level === 'warn');
    assert.equal(warn.limit, 'cost');
    assert.match(warn.message, /\$0\.8100 of the \$1\.00 budget/);
    assert.equal(budget.addCost(0.1).level, 'ok', 'the warning is reported once'); // 0.91
    const stop = budget.addCost(0.09); // 1.00
    assert.equal(stop.level, 'stop');
    assert.equal(budget.addCost(0).level, 'stop', 'stop stays stop');
    assert.equal(budget.elapsed(1).level, 'stop');
  });

  it('stops (without a separate warning) when one response jumps past both thresholds', () => {
    const budget = new BudgetTracker({ maxCostUsd: 0.1 });
    assert.equal(budget.addCost(0.5).level, 'stop');
  });

  it('counts responses it could not price instead of pretending they were free', () => {
    const budget = new BudgetTracker({ maxCostUsd: 1 });
    assert.equal(budget.addCost(undefined).level, 'ok');
    assert.equal(budget.unpricedResponses, 1);
    assert.equal(budget.costIsIncomplete, true);
    assert.equal(budget.spent, 0);
  });
});

describe('BudgetTracker --max-minutes', () => {
  it('warns at 80 % of the time and stops at the limit', () => {
    const budget = new BudgetTracker({ maxMinutes: 10 });
    assert.equal(budget.elapsed(7 * 60_000).level, 'ok');
    const warn = budget.elapsed(8 * 60_000);
    assert.ok(warn.level === 'warn');
    assert.equal(warn.limit, 'time');
    assert.match(warn.message, /8 min of 10 min/);
    assert.equal(budget.elapsed(9 * 60_000).level, 'ok');
    assert.equal(budget.elapsed(10 * 60_000).level, 'stop');
  });

  it('says short limits in seconds: --max-minutes 0.05 is "3 s", not "0.1 min"', () => {
    const budget = new BudgetTracker({ maxMinutes: 0.05 });
    const stop = budget.elapsed(3_000);
    assert.equal(stop.level, 'stop');
    assert.match(stop.message, /time limit reached: 3 s \(--max-minutes\)/);
    assert.match(String((new BudgetTracker({ maxMinutes: 1.5 }).elapsed(75_000) as { message?: string }).message), /1 min 15 s of 1 min 30 s used/);
  });

  it('ignores time going backwards', () => {
    const budget = new BudgetTracker({ maxMinutes: 1 });
    budget.elapsed(50_000);
    assert.equal(budget.elapsed(10_000).level, 'ok');
  });
});

describe('BudgetTracker with both limits', () => {
  it('warns for each limit once, and stops on whichever is reached first', () => {
    const budget = new BudgetTracker({ maxCostUsd: 1, maxMinutes: 10 });
    const costWarn = budget.addCost(0.85);
    assert.ok(costWarn.level === 'warn' && costWarn.limit === 'cost');
    const timeWarn = budget.elapsed(8.5 * 60_000);
    assert.ok(timeWarn.level === 'warn' && timeWarn.limit === 'time');
    const stop = budget.elapsed(10 * 60_000);
    assert.ok(stop.level === 'stop' && stop.limit === 'time' && /time limit reached/.test(stop.message));
  });

  it('with no limits it is always ok', () => {
    const budget = new BudgetTracker({});
    assert.equal(budget.addCost(1000).level, 'ok');
    assert.equal(budget.elapsed(1e9).level, 'ok');
  });

  it('rejects a limit that is not a positive number', () => {
    assert.throws(() => new BudgetTracker({ maxCostUsd: 0 }), RangeError);
    assert.throws(() => new BudgetTracker({ maxMinutes: Number.NaN }), RangeError);
  });
});
