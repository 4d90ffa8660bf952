/**
 * Limits from `--max-cost USD` and `--max-minutes N`. Pure: the caller feeds it each
 * response's cost and the elapsed time, and acts on what it reports. Knowing nothing of
 * clocks or sessions keeps the thresholds testable to the cent and the millisecond.
 */

export type BudgetLimit = 'cost' | 'time';

export type BudgetReport =
  | { level: 'ok' }
  | { level: 'warn' | 'stop'; limit: BudgetLimit; used: number; max: number; message: string };

export interface BudgetOptions {
  maxCostUsd?: number;
  maxMinutes?: number;
  /** Fraction of a limit at which to warn once; 0.8 gives the user a turn or two of notice. */
  warnFraction?: number;
}

const OK: BudgetReport = Object.freeze({ level: 'ok' });

export class BudgetTracker {
  private spentUsd = 0;
  private elapsedMs = 0;
  private readonly warned = new Set<BudgetLimit>();
  private stopReport: BudgetReport | undefined;
  /** Responses whose cost was unknown (unpriced model): --max-cost cannot see them. */
  unpricedResponses = 0;
  private readonly warnFraction: number;

  constructor(private readonly options: BudgetOptions) {
    this.warnFraction = options.warnFraction ?? 0.8;
    for (const [name, value] of [['maxCostUsd', options.maxCostUsd], ['maxMinutes', options.maxMinutes]] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
    }
  }

  get spent(): number {
    return this.spentUsd;
  }

  /** True when --max-cost is set but some cost could not be counted. */
  get costIsIncomplete(): boolean {
    return this.options.maxCostUsd !== undefined && this.unpricedResponses > 0;
  }

  /** One response's cost; undefined when its model has no known price. */
  addCost(usd: number | undefined): BudgetReport {
    if (usd === undefined) this.unpricedResponses += 1;
    else this.spentUsd += usd;
    return this.check();
  }

  /** Time since the conversation started; it only moves forward. */
  elapsed(ms: number): BudgetReport {
    this.elapsedMs = Math.max(this.elapsedMs, ms);
    return this.check();
  }

  /**
   * `stop` stays `stop` once reached: the conversation is over and every later call says
   * so. `warn` is reported on the call that crossed the threshold only, so the user sees
   * it once per limit.
   */
  private check(): BudgetReport {
    if (this.stopReport) return this.stopReport;
    const measures = this.measures();
    for (const m of measures) {
      if (m.used >= m.max) {
        this.stopReport = { level: 'stop', ...m, message: stopMessage(m) };
        return this.stopReport;
      }
    }
    for (const m of measures) {
      if (m.used >= m.max * this.warnFraction && !this.warned.has(m.limit)) {
        this.warned.add(m.limit);
        return { level: 'warn', ...m, message: warnMessage(m) };
      }
    }
    return OK;
  }

  private measures(): Measure[] {
    const list: Measure[] = [];
    if (this.options.maxCostUsd !== undefined) list.push({ limit: 'cost', used: this.spentUsd, max: this.options.maxCostUsd });
    if (this.options.maxMinutes !== undefined) list.push({ limit: 'time', used: this.elapsedMs / 60_000, max: this.options.maxMinutes });
    return list;
  }
}

interface Measure {
  limit: BudgetLimit;
  used: number;
  max: number;
}

function warnMessage(m: Measure): string {
  return m.limit === 'cost'
    ? `spent ${usd(m.used)} of the ${usd(m.max)} budget (--max-cost)`
    : `${minutes(m.used)} of ${minutes(m.max)} used (--max-minutes)`;
}

function stopMessage(m: Measure): string {
  return m.limit === 'cost'
    ? `budget reached: spent ${usd(m.used)} of ${usd(m.max)} (--max-cost); ending the conversation`
    : `time limit reached: ${minutes(m.max)} (--max-minutes); ending the conversation`;
}

function usd(value: number): string {
  return `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

/** `3 s` under a minute (0.05 min is 3 s, not "0.1 min"), then `1 min 30 s`, `12 min`. */
export function minutes(value: number): string {
  const seconds = Math.round(value * 60);
  if (seconds < 60) return `${seconds} s`;
  const rest = seconds % 60;
  return rest ? `${Math.floor(seconds / 60)} min ${rest} s` : `${seconds / 60} min`;
}
