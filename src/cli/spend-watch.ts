import { BudgetTracker, type BudgetReport } from '../cost/budget.js';
import { SessionSpend, formatUsdAmount } from '../cost/session-spend.js';
import type { PriceOverrides } from '../cost/pricing.js';
import type { TokenTotals } from '../cost/token-totals.js';
import type { Logger } from '../logger.js';

const BUDGET_CLOCK_MS = 1000;

export interface SpendWatchOptions {
  model: () => string;
  prices?: PriceOverrides | undefined;
  free: boolean;
  maxCostUsd?: number | undefined;
  maxMinutes?: number | undefined;
  logger: Logger;
  /** The limit is reached: stop sending audio; the caller ends the session when it can. */
  onLimit: () => void;
}

/**
 * What the session costs, and the `--max-cost` / `--max-minutes` limits: warns once at
 * 80 %, and at 100 % says so and calls `onLimit` once.
 */
export class SpendWatch {
  private readonly spend: SessionSpend;
  private readonly budget: BudgetTracker | undefined;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private limitReached = false;
  /** A session billed by its time (GPT-Live): the running total, replacing per-response prices. */
  private sessionUsd: number | undefined | null = null;

  constructor(private readonly options: SpendWatchOptions) {
    this.spend = new SessionSpend(options.model, options.prices, options.free);
    const limits = {
      ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}),
      ...(options.maxMinutes !== undefined ? { maxMinutes: options.maxMinutes } : {}),
    };
    this.budget = Object.keys(limits).length ? new BudgetTracker(limits) : undefined;
    if (this.budget) {
      this.timer = setInterval(() => this.report(this.budget!.elapsed(Date.now() - this.startedAt)), BUDGET_CLOCK_MS);
      this.timer.unref();
    }
  }

  get stopped(): boolean {
    return this.limitReached;
  }

  /** Session total so far, undefined when some response could not be priced. */
  get totalUsd(): number | undefined {
    if (this.spend.free) return 0;
    return this.sessionUsd === null ? this.spend.totalUsd : this.sessionUsd;
  }

  /** GPT-Live: the session's cost so far (undefined: unpriced), from its cumulative usage; checks the limits. */
  setSessionCost(totalUsd: number | undefined): void {
    const before = this.sessionUsd ?? 0;
    this.sessionUsd = this.spend.free ? 0 : totalUsd;
    if (this.budget && this.sessionUsd !== undefined && this.sessionUsd > before) this.report(this.budget.addCost(this.sessionUsd - before));
  }

  /** Prices one response and checks the limits; returns how to show its cost. */
  addResponse(tokens: TokenTotals): string {
    const { usd } = this.spend.add(tokens);
    if (this.budget) this.report(this.budget.addCost(usd));
    return this.describe(usd);
  }

  describeTotal(): string {
    return this.spend.free ? 'free (local server)' : formatUsdAmount(this.totalUsd);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private describe(usd: number | undefined): string {
    if (this.spend.free) return 'free (local server)';
    return usd === undefined
      ? `cost unknown (no price for ${this.spend.modelName}; add one under "prices" in the config file)`
      : formatUsdAmount(usd);
  }

  private report(report: BudgetReport): void {
    if (report.level === 'ok' || this.limitReached) return;
    if (report.level === 'warn') return this.options.logger.log('warn', report.message);
    this.limitReached = true;
    this.options.logger.log('warn', `${report.message}: no more audio is sent; the session ends after the current response`);
    this.options.onLimit();
  }
}
