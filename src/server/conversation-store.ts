/**
 * The conversation: items in order, each with the PCM of its audio content parts kept
 * beside the wire-shaped item (the wire item never carries audio bytes except on retrieve).
 */
import type { Item } from '../protocol/events.js';
import { ProtocolFailure } from './protocol-failure.js';

export interface AudioContent {
  /** Undefined once dropped to stay within the conversation's audio budget. */
  pcm: Buffer | undefined;
  sampleRate: number;
  durationMs: number;
  /** Set by a truncate; audio still being generated for the item is dropped past it. */
  truncatedAtMs?: number;
}

export interface StoredItem {
  item: Item & { id: string };
  /** Audio of content parts, by content index. */
  audio: Map<number, AudioContent>;
  /** What the user said in an audio part, recognized once and shared by all who ask. */
  transcript?: Promise<string | undefined>;
}

export interface ConversationLimits {
  /** Oldest items are forgotten past this, like the service's `truncation: auto`. */
  maxItems: number;
  /** Audio bytes kept for retrieval; older items keep their length but not their samples. */
  maxAudioBytes: number;
}

/** `previous_item_id: 'root'` puts an item first (the Agents SDK relies on it). */
export const ROOT_ITEM_ID = 'root';

export class ConversationStore {
  private order: string[] = [];
  private readonly items = new Map<string, StoredItem>();

  constructor(private readonly limits: ConversationLimits) {}

  get size(): number {
    return this.order.length;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  get(id: string): StoredItem | undefined {
    return this.items.get(id);
  }

  list(): StoredItem[] {
    return this.order.map((id) => this.items.get(id)!);
  }

  lastId(): string | null {
    return this.order.at(-1) ?? null;
  }

  /**
   * Inserts after `previousItemId` (undefined = at the end, 'root' = first) and returns the
   * id of the item now before it, which the added/done events report.
   */
  insert(stored: StoredItem, previousItemId?: string | null): string | null {
    const id = stored.item.id;
    if (this.items.has(id)) {
      throw new ProtocolFailure(`Item with id '${id}' already exists.`, 'item_already_exists', 'item.id');
    }
    const index = this.insertionIndex(previousItemId);
    this.order.splice(index, 0, id);
    this.items.set(id, stored);
    this.enforceLimits();
    return index === 0 ? null : this.order[index - 1] ?? null;
  }

  delete(id: string): boolean {
    if (!this.items.delete(id)) return false;
    this.order = this.order.filter((existing) => existing !== id);
    return true;
  }

  private insertionIndex(previousItemId: string | null | undefined): number {
    if (previousItemId === undefined || previousItemId === null) return this.order.length;
    if (previousItemId === ROOT_ITEM_ID) return 0;
    const index = this.order.indexOf(previousItemId);
    if (index < 0) {
      throw new ProtocolFailure(
        `Previous item with id '${previousItemId}' does not exist.`, 'item_not_found', 'previous_item_id',
      );
    }
    return index + 1;
  }

  private enforceLimits(): void {
    while (this.order.length > this.limits.maxItems) this.items.delete(this.order.shift()!);
    let bytes = 0;
    // Newest audio is the most likely to be retrieved or truncated, so budget from the end.
    for (let i = this.order.length - 1; i >= 0; i--) {
      for (const audio of this.items.get(this.order[i]!)!.audio.values()) {
        if (!audio.pcm) continue;
        bytes += audio.pcm.length;
        if (bytes > this.limits.maxAudioBytes) audio.pcm = undefined;
      }
    }
  }
}
