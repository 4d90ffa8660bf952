import { costOf, priceFor, type PriceOverrides } from '../cost/pricing.js';
import { liveCost, livePriceFor } from '../cost/live-pricing.js';
import { tokensOfUsage, type TokenTotals } from '../cost/token-totals.js';
import type { Usage } from '../protocol/events.js';
import { printableLine } from '../terminal-text.js';
import { META_ASSISTANT_INTERRUPTED, META_RECORDING_STARTED, type EventRecord, type RecordedEvent } from './recording-files.js';

export type EntryKind = 'user' | 'assistant' | 'tool-call' | 'tool-result' | 'usage' | 'error';

export interface TranscriptEntry {
  /** Ms since the recording started: when the words were spoken (or the event happened). */
  atMs: number;
  kind: EntryKind;
  text: string;
  /** A voice turn whose transcript has not arrived (or never will). */
  pending?: boolean;
  /** The assistant was cut off; heardMs when the client said how much was heard. */
  interrupted?: { heardMs?: number };
  toolName?: string;
  tokens?: TokenTotals;
  costUsd?: number;
  /** Answered by kaiwa's built-in local server: no money was spent. */
  free?: boolean;
}

export interface TranscriptOptions {
  model: string;
  prices?: PriceOverrides;
  /** The session ran against kaiwa's built-in local server (the recording says so too). */
  free?: boolean;
}

/**
 * Follows recorded events and keeps the conversation as a reader wants it: one entry per
 * utterance, at the moment it was spoken, whatever order the events came in (a user's
 * transcript usually arrives after the assistant has begun to answer). Both the recorder
 * (for transcript.md) and `kaiwa replay` (from events.jsonl) build it the same way.
 */
export class TranscriptBuilder {
  model: string;
  startedAt: string | undefined;
  /** Nothing in this session cost money (the built-in local server answered). */
  free: boolean;
  private readonly list: TranscriptEntry[] = [];
  private readonly byItem = new Map<string, TranscriptEntry>();
  private readonly heardFromAudio = new Set<TranscriptEntry>();
  private readonly toolNames = new Map<string, string>();
  private costTotal = 0;
  private responses = 0;
  private unpricedResponses = 0;
  /**
   * GPT-Live bills session time, not tokens: its responses carry no usage, and the session's
   * cumulative seconds come in usage events of its own. Undefined for a session billed by tokens.
   */
  private sessionSeconds: number | undefined;

  constructor(private readonly options: TranscriptOptions) {
    this.model = options.model;
    this.free = options.free === true;
  }

  /** In time order; entries that share a time keep the order they were made in. */
  get entries(): TranscriptEntry[] {
    return [...this.list].sort((a, b) => a.atMs - b.atMs);
  }

  /** The session's cost so far, undefined when any response could not be priced. */
  get totalCostUsd(): number | undefined {
    if (this.sessionSeconds !== undefined) return this.free ? 0 : liveCost(this.sessionSeconds, livePriceFor(this.model));
    return this.unpricedResponses > 0 ? undefined : this.costTotal;
  }

  /** The session time a GPT-Live session was billed for; undefined for one billed by tokens. */
  get billedSeconds(): number | undefined {
    return this.sessionSeconds;
  }

  get responseCount(): number {
    return this.responses;
  }

  /** Returns true when the transcript changed. */
  add(record: EventRecord): boolean {
    const { event, t } = record;
    const handler = record.dir === 'client' ? this.clientHandlers[event.type] : this.serverHandlers[event.type];
    return handler ? handler(event, t) !== false : false;
  }

  private readonly serverHandlers: Record<string, (event: RecordedEvent, t: number) => boolean | void> = {
    [META_RECORDING_STARTED]: (e) => {
      this.model = modelName(str(e.model)) ?? this.model;
      this.startedAt = str(e.started_at);
      if (e.free === true) this.free = true;
      if (e.protocol === 'live') this.sessionSeconds ??= 0;
    },
    [META_ASSISTANT_INTERRUPTED]: (e) => {
      for (const id of Array.isArray(e.item_ids) ? e.item_ids : []) {
        const entry = this.byItem.get(String(id));
        if (entry?.kind === 'assistant') entry.interrupted ??= {};
      }
    },
    'session.created': (e) => this.takeModel(e),
    'session.updated': (e) => this.takeModel(e),
    'input_audio_buffer.speech_started': (e, t) => void this.userVoice(e, t),
    'input_audio_buffer.committed': (e, t) => void this.userVoice(e, t),
    'conversation.item.input_audio_transcription.delta': (e, t) => {
      const entry = this.userVoice(e, t);
      if (entry) entry.text += str(e.delta) ?? '';
    },
    'conversation.item.input_audio_transcription.completed': (e, t) => {
      const entry = this.userVoice(e, t);
      if (!entry) return false;
      entry.text = str(e.transcript)?.trim() ?? '';
      entry.pending = false;
    },
    'conversation.item.input_audio_transcription.failed': (e, t) => {
      const entry = this.userVoice(e, t);
      if (!entry) return false;
      entry.text = '(transcription failed)';
      entry.pending = false;
    },
    'response.output_item.added': (e, t) => {
      const item = rec(e.item);
      if (item?.type !== 'message' || item.role !== 'assistant') return false;
      this.assistant(str(item.id), t);
    },
    'response.output_audio.delta': (e, t) => {
      const entry = this.assistant(str(e.item_id), t);
      const heardAt = rec(e.delta)?.wavOffsetMs;
      if (!entry || typeof heardAt !== 'number' || this.heardFromAudio.has(entry)) return false;
      // An answer is placed where it was heard, which is where it sits in the WAV.
      entry.atMs = heardAt;
      this.heardFromAudio.add(entry);
    },
    'response.output_audio_transcript.delta': (e, t) => this.appendAssistant(e, t),
    'response.output_text.delta': (e, t) => this.appendAssistant(e, t),
    'response.output_audio_transcript.done': (e, t) => this.finishAssistant(e, t, e.transcript),
    'response.output_text.done': (e, t) => this.finishAssistant(e, t, e.text),
    'response.function_call_arguments.done': (e, t) => {
      const name = str(e.name) ?? 'function';
      const callId = str(e.call_id);
      if (callId) this.toolNames.set(callId, name);
      this.push({ atMs: t, kind: 'tool-call', toolName: name, text: str(e.arguments) ?? '' });
    },
    'response.done': (e, t) => this.usage(e, t),
    'session.usage.updated': (e) => this.sessionTime(e),
    'session.closed': (e) => this.sessionTime(e),
    error: (e, t) => {
      const error = rec(e.error);
      const code = str(error?.code);
      this.push({ atMs: t, kind: 'error', text: `${str(error?.message) ?? 'unknown error'}${code ? ` (${code})` : ''}` });
    },
  };

  private readonly clientHandlers: Record<string, (event: RecordedEvent, t: number) => boolean | void> = {
    'conversation.item.create': (e, t) => {
      const item = rec(e.item);
      if (item?.type === 'function_call_output') {
        const callId = str(item.call_id) ?? '';
        this.push({ atMs: t, kind: 'tool-result', toolName: this.toolNames.get(callId) ?? callId, text: str(item.output) ?? '' });
        return;
      }
      if (item?.type !== 'message' || item.role !== 'user') return false;
      const text = textOfContent(item.content);
      if (!text) return false;
      this.push({ atMs: t, kind: 'user', text });
    },
    'conversation.item.truncate': (e) => this.markInterrupted(str(e.item_id), num(e.audio_end_ms)),
    'conversation.item.delete': (e) => this.markInterrupted(str(e.item_id), 0),
  };

  private takeModel(event: RecordedEvent): boolean {
    const model = modelName(str(rec(event.session)?.model));
    if (!model || model === this.model) return false;
    this.model = model;
    return true;
  }

  private userVoice(event: RecordedEvent, t: number): TranscriptEntry | undefined {
    const itemId = str(event.item_id);
    if (!itemId) return undefined;
    return this.byItem.get(itemId) ?? this.push({ atMs: t, kind: 'user', text: '', pending: true }, itemId);
  }

  private assistant(itemId: string | undefined, t: number): TranscriptEntry | undefined {
    if (!itemId) return undefined;
    return this.byItem.get(itemId) ?? this.push({ atMs: t, kind: 'assistant', text: '' }, itemId);
  }

  private appendAssistant(event: RecordedEvent, t: number): boolean {
    const entry = this.assistant(str(event.item_id), t);
    const delta = str(event.delta);
    if (!entry || !delta) return false;
    entry.text += delta;
    return true;
  }

  private finishAssistant(event: RecordedEvent, t: number, text: unknown): boolean {
    const entry = this.assistant(str(event.item_id), t);
    if (!entry || typeof text !== 'string') return false;
    entry.text = text;
    return true;
  }

  private markInterrupted(itemId: string | undefined, heardMs: number | undefined): boolean {
    const entry = itemId ? this.byItem.get(itemId) : undefined;
    if (entry?.kind !== 'assistant') return false;
    entry.interrupted = heardMs === undefined ? {} : { heardMs };
    return true;
  }

  /** Live's usage is the session's total so far, never an increment. */
  private sessionTime(event: RecordedEvent): boolean {
    const seconds = num(rec(event.usage)?.seconds);
    if (seconds === undefined || seconds < (this.sessionSeconds ?? 0)) return false;
    this.sessionSeconds = seconds;
    return true;
  }

  private usage(event: RecordedEvent, t: number): boolean {
    const usage = rec(rec(event.response)?.usage);
    if (this.sessionSeconds !== undefined) {
      // Billed by the minute: each response counts, with no tokens to show.
      this.responses += 1;
      return true;
    }
    if (!usage) return false;
    const tokens = tokensOfUsage(usage as Usage);
    this.responses += 1;
    if (this.free) {
      this.push({ atMs: t, kind: 'usage', text: '', tokens, costUsd: 0, free: true });
      return true;
    }
    const costUsd = costOf(tokens, priceFor(this.model, this.options.prices));
    if (costUsd === undefined) this.unpricedResponses += 1;
    else this.costTotal += costUsd;
    this.push({ atMs: t, kind: 'usage', text: '', tokens, ...(costUsd === undefined ? {} : { costUsd }) });
    return true;
  }

  private push(entry: TranscriptEntry, itemId?: string): TranscriptEntry {
    this.list.push(entry);
    if (itemId) this.byItem.set(itemId, entry);
    return entry;
  }
}

function textOfContent(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((part) => str(rec(part)?.text) ?? '').filter(Boolean).join('\n');
}

function rec(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The model a recording names, as transcript.md and `kaiwa replay` print it: the server chose it. */
function modelName(value: string | undefined): string | undefined {
  return value === undefined ? undefined : printableLine(value);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
