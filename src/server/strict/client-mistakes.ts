/**
 * `kaiwa serve --strict`: the client's protocol mistakes, named and counted per session.
 * Errors the service itself sends (a second response.create, a truncate past the audio,
 * an unknown item id or field) are sorted into the named kinds below; the checks in
 * strict-checks.ts add the mistakes the service lets pass silently (audio before the
 * session was configured, appends of a wrong size or rate).
 */
import type { ProtocolFailure } from '../protocol-failure.js';

export const MISTAKE_KINDS = {
  activeResponse: 'response.create while a response is active',
  truncatePastAudio: 'truncate past the audio sent',
  appendSize: 'append of a wrong size',
  appendRate: 'append at a wrong rate',
  audioBeforeConfigured: 'audio before the session was configured',
  unknownItem: 'unknown item id',
  unknownField: 'unknown field',
} as const;

/**
 * The kind of mistake a failure reports: a missing field by the event and the field
 * (`conversation.item.create without item.role`), other failures by their code.
 * `eventType` is the type the client sent, when the event had one.
 */
export function mistakeKind(failure: ProtocolFailure, eventType?: string): string {
  switch (failure.code) {
    case 'missing_required_parameter':
      if (failure.param === 'type' || eventType === undefined) return `an event without ${failure.param ?? 'a required field'}`;
      return `${eventType} without ${failure.param ?? 'a required field'}`;
    case 'conversation_already_has_active_response': return MISTAKE_KINDS.activeResponse;
    case 'item_not_found': return MISTAKE_KINDS.unknownItem;
    case 'unknown_parameter': return MISTAKE_KINDS.unknownField;
    case 'audio_before_session_configured': return MISTAKE_KINDS.audioBeforeConfigured;
    case 'invalid_audio_size': return MISTAKE_KINDS.appendSize;
    case 'invalid_audio_rate': return MISTAKE_KINDS.appendRate;
    default:
      // Past the audio is the one invalid_value truncation.ts raises; a negative or non-number value is named by its own code.
      if (failure.param === 'audio_end_ms' && failure.code === 'invalid_value') return MISTAKE_KINDS.truncatePastAudio;
      return failure.code;
  }
}

/** One session's mistakes, by kind, in the order first seen. */
export class MistakeTally {
  private readonly counts = new Map<string, number>();

  record(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** `3 protocol mistakes: unknown field ×2, unknown item id ×1`, or `no protocol mistakes`. */
  describe(): string {
    if (this.total === 0) return 'no protocol mistakes';
    const kinds = [...this.counts].map(([kind, count]) => `${kind} ×${count}`).join(', ');
    return `${this.total} protocol mistake${this.total === 1 ? '' : 's'}: ${kinds}`;
  }
}

/** Every session's tally, for the summary lines and `--fail-on-mistakes`. */
export class MistakeLedger {
  private sessions = 0;
  private withMistakes = 0;
  private mistakes = 0;

  constructor(private readonly print: (line: string) => void) {}

  /** A session ended: its summary line. */
  closed(sessionId: string, tally: MistakeTally): void {
    this.sessions += 1;
    if (tally.total > 0) this.withMistakes += 1;
    this.mistakes += tally.total;
    this.print(`strict: session ${sessionId}: ${tally.describe()}`);
  }

  get total(): number {
    return this.mistakes;
  }

  describe(): string {
    return `strict: ${this.mistakes} protocol mistake${this.mistakes === 1 ? '' : 's'} in ${this.withMistakes} of ${this.sessions} session${this.sessions === 1 ? '' : 's'}`;
  }
}
