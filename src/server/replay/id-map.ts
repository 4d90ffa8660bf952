/**
 * Ids in a replay: every id the recorded server made up gets a fresh one (the same fresh
 * one wherever it appears), and every id the recorded client chose maps to the one the
 * live client chose in the matching event, so references across events stay consistent.
 * An id the recorded server did not make up at random (a script's `call_script1`, or the
 * `call_id` it gives) is handed out as recorded: the script would give it again, and an
 * app's test may rely on it.
 */
import { randomBytes } from 'node:crypto';

/** Fields that hold ids of events, items, responses, calls, conversations and sessions. */
export const ID_KEYS: ReadonlySet<string> = new Set([
  'id', 'event_id', 'item_id', 'previous_item_id', 'response_id', 'call_id', 'conversation_id', 'approval_request_id',
]);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * A made-up id: a prefix and at least 16 random letters and digits, as the service makes
 * them (`item_` + 21, `call_` + 16) and kaiwa serve does (ids.ts). A name someone chose
 * is shorter or has a separator in it.
 */
const MADE_UP_ID = /^([A-Za-z]+)_([A-Za-z0-9]{16,})$/;

export class IdMap {
  private readonly ids = new Map<string, string>();
  /** Ids of the live client that contradicted an earlier mapping (the client diverged). */
  conflicts = 0;

  /** The replay's id for a recorded one, made up on first sight; ids someone chose and values that are not ids (`root`) stay. */
  replayId(recorded: string): string {
    const known = this.ids.get(recorded);
    if (known !== undefined) return known;
    const fresh = freshIdLike(recorded);
    if (fresh !== recorded) this.ids.set(recorded, fresh);
    return fresh;
  }

  /** The live id for a recorded one already seen, or undefined. */
  known(recorded: string): string | undefined {
    return this.ids.get(recorded);
  }

  /** The live client used `live` where the recording has `recorded`. */
  learn(recorded: string, live: string): void {
    const known = this.ids.get(recorded);
    if (known === undefined) this.ids.set(recorded, live);
    else if (known !== live) this.conflicts += 1;
  }

  /** Learns every id of a recorded client event from the live event that matched it. */
  learnFrom(recorded: unknown, live: unknown, key?: string): void {
    if (typeof recorded === 'string') {
      if (key !== undefined && ID_KEYS.has(key) && typeof live === 'string') this.learn(recorded, live);
      return;
    }
    if (Array.isArray(recorded)) {
      if (!Array.isArray(live)) return;
      recorded.forEach((value, index) => this.learnFrom(value, live[index]));
      return;
    }
    if (!isRecord(recorded) || !isRecord(live)) return;
    for (const [name, value] of Object.entries(recorded)) this.learnFrom(value, live[name], name);
  }
}

/** For a made-up id, a new one with the same prefix and length (`item_…` stays an `item_…`); any other value as it is. */
export function freshIdLike(value: string): string {
  const match = MADE_UP_ID.exec(value);
  if (!match) return value;
  return `${match[1]}_${randomText(match[2]!.length)}`;
}

function randomText(length: number): string {
  let text = '';
  for (const byte of randomBytes(length)) text += ALPHABET[byte % 62];
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
