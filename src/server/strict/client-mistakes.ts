/**
 * `kaiwa serve --strict`: the client's protocol mistakes, named and counted per session.
 * Errors the service itself sends (a second response.create, a truncate past the audio,
 * an unknown item id or field, a field of the wrong type or out of range) are named by the
 * event, the field and what was wrong; the checks in strict-checks.ts add the mistakes the
 * service lets pass silently (audio before the session was configured, appends of a wrong
 * size or rate).
 */
import type { ProtocolFailure } from '../protocol-failure.js';
import { own } from '../../own-text.js';

/** What was wrong, for failures that do not say it themselves (ProtocolFailure.problem). */
const CODE_PROBLEMS: Readonly<Record<string, string>> = {
  conversation_already_has_active_response: 'while a response is active',
  response_cancel_not_active: 'with no active response',
  item_not_found: 'not found',
  item_already_exists: 'already in use',
  audio_before_session_configured: 'before the session was configured',
  invalid_audio_size: 'of a wrong size',
  invalid_audio_rate: 'at a wrong rate',
  duplicate_tool_name: 'used twice',
  unsupported_tool_type: 'not supported',
  object_above_max_properties: 'with too many keys',
  cannot_update_voice: 'changed after the assistant spoke',
  invalid_json: 'a message that is not JSON',
  invalid_value: 'not a supported value',
};

/**
 * The kind of mistake a failure reports, as a developer looks for it: the event type the
 * client sent (`eventType`, when it had one), the field's path and what was wrong with it.
 * `session.update session.temperature below 0.6`, `conversation.item.create without
 * item.role`, `response.create with unknown instructions`, `response.create while a
 * response is active`; what has no event type is named alone (`a message that is not JSON`).
 */
export function mistakeKind(failure: ProtocolFailure, rawEventType?: string): string {
  const { code } = failure;
  // Both may be what the client wrote (an unknown key, an unknown type): kept to one short line.
  const eventType = rawEventType === undefined ? undefined : shown(rawEventType, 64);
  const param = failure.param === null ? null : shown(failure.param, 96);
  const problem = failure.problem ?? CODE_PROBLEMS[code] ?? code.replaceAll('_', ' ');
  if (eventType === undefined) {
    if (code === 'missing_required_parameter') return `an event without ${param ?? 'a required field'}`;
    return param === null ? problem : `an event whose ${param} is ${problem}`;
  }
  switch (code) {
    case 'missing_required_parameter': return `${eventType} without ${param ?? 'a required field'}`;
    case 'unknown_parameter': return `${eventType} with unknown ${param ?? 'field'}`;
    default:
      if (param === 'type' && code === 'invalid_value') return `an event of unknown type ${eventType}`;
      // What the event type itself got wrong (not available here) is said of the event.
      if (param === null || param === 'type') return `${eventType} ${problem}`;
      return `${eventType} ${param} ${problem}`;
  }
}

/** Control characters escaped, cut to `max` characters. */
function shown(text: string, max: number): string {
  const visible = text.replace(/[\u0000-\u001f\u007f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return visible.length > max ? own`${visible.slice(0, max)}…` : visible;
}

/** Kinds named one by one; a client making more (a key per message) gets the rest summed, so the line stays short. */
const MAX_KINDS = 20;

/** One session's mistakes, by kind, in the order first seen. */
export class MistakeTally {
  private readonly counts = new Map<string, number>();
  private others = 0;

  record(kind: string): void {
    const count = this.counts.get(kind);
    if (count === undefined && this.counts.size >= MAX_KINDS) this.others += 1;
    else this.counts.set(kind, (count ?? 0) + 1);
  }

  get total(): number {
    let total = this.others;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** `3 protocol mistakes: response.create with unknown instructions ×2, conversation.item.delete item_id not found ×1`, or `no protocol mistakes`. */
  describe(): string {
    if (this.total === 0) return 'no protocol mistakes';
    const named = [...this.counts].map(([kind, count]) => own`${kind} ×${count}`);
    const kinds = (this.others > 0 ? [...named, own`other mistakes ×${this.others}`] : named).join(', ');
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
