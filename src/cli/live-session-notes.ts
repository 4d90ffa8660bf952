import type { ServerEvent } from '../protocol/events.js';
import { liveCost, livePriceFor } from '../cost/live-pricing.js';
import { formatUsdAmount } from '../cost/session-spend.js';
import type { Logger } from '../logger.js';
import { own } from '../own-text.js';

/** What the notes need from the session and the run. */
export interface LiveNotesOptions {
  model: () => string;
  logger: Logger;
  /** The built-in local server answers: nothing costs money. */
  free: boolean;
  /** The session's cost so far (undefined: no price known), for --max-cost and the summary. */
  onCost: (usd: number | undefined) => void;
  /** Running totals for the terminal UI's status bar. */
  onUsage?: (seconds: number, usd: number | undefined) => void;
  /** Dimmed side text (delegated work, commentary): never printed as the answer. */
  aside: (text: string) => void;
}

type Json = Record<string, unknown>;

/**
 * The GPT-Live events that have no Realtime twin, for the person at the terminal:
 * cumulative usage priced per minute of session time, and the work the Live model hands
 * to its backend, shown aside (dimmed) so it is never taken for the spoken answer.
 */
export class LiveSessionNotes {
  private seconds = 0;
  private readonly backendText = new Map<string, string>();

  constructor(private readonly options: LiveNotesOptions) {}

  onServerEvent(event: ServerEvent): void {
    const wire = event as unknown as Json;
    switch (wire.type) {
      case 'session.usage.updated':
      case 'session.closed':
        return this.usage(wire.usage as Json | undefined, wire.type === 'session.closed');
      case 'session.delegation.created':
        return this.options.aside(own`⋯ handed a task to ${String((wire.delegation as Json | undefined)?.target ?? 'the backend')}`);
      case 'response.event':
        return this.backend(wire.event as Json, String(wire.delegation_id ?? ''));
      case 'info':
        return this.options.logger.log('info', `GPT-Live: ${String(wire.message ?? wire.code ?? '')}`);
      default:
    }
  }

  /** What the session has cost, for the summary line. */
  describe(): string {
    if (this.options.free) return 'free (local server)';
    const usd = liveCost(this.seconds, livePriceFor(this.options.model()));
    return usd === undefined ? `cost unknown (no per-minute price for ${this.options.model()})` : formatUsdAmount(usd);
  }

  private usage(usage: Json | undefined, final: boolean): void {
    const seconds = typeof usage?.seconds === 'number' && Number.isFinite(usage.seconds) ? usage.seconds : undefined;
    if (seconds === undefined || seconds < this.seconds) return;
    this.seconds = seconds;
    const price = livePriceFor(this.options.model());
    const usd = this.options.free ? 0 : liveCost(seconds, price);
    this.options.onCost(usd);
    this.options.onUsage?.(seconds, usd);
    const rate = price && !this.options.free ? ` at $${price.activePerMinute}/min (${price.source}, ${price.date})` : '';
    this.options.logger.log(final ? 'info' : 'debug', own`usage: ${seconds.toFixed(1)} s of session time${rate} · ${this.describe()}`);
  }

  /** The delegated backend's own text: its reasoning or result, which the Live model then speaks. */
  private backend(nested: Json | undefined, delegationId: string): void {
    if (!nested) return;
    if (nested.type === 'response.output_text.delta' && typeof nested.delta === 'string') {
      this.backendText.set(delegationId, (this.backendText.get(delegationId) ?? '') + nested.delta);
    }
    if (nested.type === 'response.output_text.done' || nested.type === 'response.completed') {
      const text = this.backendText.get(delegationId)?.trim();
      this.backendText.delete(delegationId);
      if (text) this.options.aside(own`⋯ backend: ${text}`);
    }
  }
}
