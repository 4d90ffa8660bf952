import type { Item } from '../protocol/events.js';

export type UnsentReason = 'connection down' | 'session never started' | 'never confirmed' | 'turn never came' | 'never answered';

interface Unconfirmed {
  item: Item;
  /** The event that carried it: the transport may hold it still, unsent (GPT-Live's, until its session starts). */
  eventId: string;
  /** Created while the connection was down: held, never sent (the others went out and were not confirmed). */
  heldWhileDown: boolean;
}

/**
 * What became of the items the session sent, so the typed lines among them that the server
 * never took in, or took in and never answered, can be named when the session ends: sent
 * and not yet announced by the server (unconfirmed), held while the connection was down,
 * or taken in with kaiwa's request whose answer has not finished.
 */
export class TypedLineLedger {
  private readonly unconfirmed = new Map<string, Unconfirmed>();
  private readonly awaitingAnswer = new Map<string, Item>();

  sent(itemId: string, item: Item, eventId: string, connectionDown: boolean): void {
    this.unconfirmed.set(itemId, { item, eventId, heldWhileDown: connectionDown });
  }

  /** The server announced the item (conversation.item.added / created). */
  confirmed(itemId: string): void {
    this.unconfirmed.delete(itemId);
  }

  /** A user message sent with kaiwa's own request: unanswered until a response to it finishes. */
  asked(itemId: string, item: Item): void {
    if (item.type === 'message' && item.role === 'user') this.awaitingAnswer.set(itemId, item);
  }

  /**
   * The request's answer finished, or its failure was said when it came (a refusal, an
   * answer given up): no line waits for an answer any more.
   */
  answered(): void {
    this.awaitingAnswer.clear();
  }

  /**
   * The request's answer was given (its response completed): the lines it asked about were
   * taken in, whether or not their announcement arrived intact (a malformed
   * conversation.item.added would otherwise leave an answered line "never confirmed").
   */
  answeredInFull(): void {
    for (const itemId of this.awaitingAnswer.keys()) this.unconfirmed.delete(itemId);
    this.answered();
  }

  /** For a new connection: what the old one never confirmed, to send again (and track anew). */
  takeUnconfirmed(): Item[] {
    const items = [...this.unconfirmed.values()].map(({ item }) => item);
    this.unconfirmed.clear();
    return items;
  }

  /**
   * The typed user lines not taken in, or not answered, and why. `holds` says whether the
   * transport still holds an event unsent; `down`, whether the connection was down, for the
   * lines `queued` behind a request that never got its turn.
   */
  report(queued: Iterable<Item>, down: boolean, holds: (eventId: string) => boolean): Array<{ text: string; why: UnsentReason }> {
    const unconfirmedWhy = ({ eventId, heldWhileDown }: Unconfirmed): UnsentReason => {
      if (heldWhileDown) return 'connection down';
      // A line that went out before the connection dropped was sent: the server may have heard it.
      return holds(eventId) ? 'session never started' : 'never confirmed';
    };
    const unanswered = [...this.awaitingAnswer.values()].filter((item) => !this.unconfirmed.has(item.id ?? ''));
    return [
      ...typedLines(unanswered, () => 'never answered'),
      ...typedLines(this.unconfirmed.values(), unconfirmedWhy, (entry) => entry.item),
      ...typedLines(queued, () => (down ? 'connection down' : 'turn never came')),
    ];
  }
}

function typedLines<T>(entries: Iterable<T>, why: (entry: T) => UnsentReason, itemOf: (entry: T) => Item = (entry) => entry as Item): Array<{ text: string; why: UnsentReason }> {
  return [...entries].flatMap((entry) => {
    const item = itemOf(entry);
    if (item.type !== 'message' || item.role !== 'user') return [];
    return [{ text: item.content.map((part) => ('text' in part ? part.text ?? '' : '')).join(''), why: why(entry) }];
  });
}
