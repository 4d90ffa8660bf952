/**
 * One socket of `kaiwa serve --replay`: it answers each client event with the server
 * events that followed the matching event in the recording. Client events are matched by
 * type and order (the 3rd `response.create` gets what followed the recorded 3rd one); ids
 * are replaced consistently (see id-map.ts); audio elided from the recording is rebuilt
 * from conversation.wav's assistant channel, or silence of the same length. With timing
 * 'recorded' each server event keeps its recorded delay after the client event that
 * triggered it; server events always go out in recorded order.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../logger.js';
import type { Dialect } from '../../protocol/dialect.js';
import type { ServerEvent, WireEvent } from '../../protocol/events.js';
import { sampleRateOf } from '../../protocol/audio-format.js';
import type { RecordedEvent } from '../../recording/recording-files.js';
import { int16ToBuffer } from '../../audio/pcm16.js';
import type { Transport } from '../../protocol/transport.js';
import type { SocketSession } from '../realtime-server.js';
import { encodeWireAudio } from '../wire-audio.js';
import { newId } from '../ids.js';
import { ID_KEYS, IdMap } from './id-map.js';
import type { ScriptStep, ScriptedEvent } from './replay-script.js';
import type { WavChannelReader } from './wav-channel-reader.js';
import { firstDifference, quote } from './client-diff.js';
import { ignoredIn, type IgnoredField } from './ignored-fields.js';

export type ReplayTiming = 'recorded' | 'immediate';

export interface ReplaySessionOptions {
  opening: readonly ScriptedEvent[];
  steps: readonly ScriptStep[];
  wav: WavChannelReader | undefined;
  dialect: Dialect;
  logger: Logger;
  timing: ReplayTiming;
  /** Fields of the client's events not compared with the recording (`--replay-ignore`). */
  ignore?: readonly IgnoredField[];
  /** Told once the connection ends, with what the client did against the cassette. */
  onEnd?: (stats: ReplayStats) => void;
}

/** What a replayed session did, for tests and the log. */
export interface ReplayStats {
  id: string;
  /** Client events answered from the recording. */
  matched: number;
  /** Types of client events the recording has no (more) match for; they get no answer. */
  unmatched: string[];
  /** Server events sent. */
  sent: number;
  /** Audio payloads rebuilt from conversation.wav, and those sent as silence. */
  audioFromWav: number;
  audioSilent: number;
  idConflicts: number;
  /** Recorded client events not (yet) seen from the live client. */
  stepsLeft: number;
  /** Where the live client first strayed from the cassette (order or content), if it did. */
  firstDifference: string | undefined;
  /** Recorded client events never sent, as `step 5 response.create` (filled when the connection ends). */
  unreached: string[];
  /** Ignored fields that differed, by path (`item.output`), with how many steps they differed in. */
  ignored: Array<{ path: string; steps: number }>;
}

/** Where a recorded audio payload stood in; the recorder wrote these instead of base64. */
interface Placeholder {
  bytes: number;
  wavOffsetMs: number | null;
}

/** Top-level fields carrying the live conversation's audio, which conversation.wav holds. */
const LIVE_AUDIO_FIELDS: Readonly<Record<string, string>> = {
  'response.output_audio.delta': 'delta',
  'session.output_audio.delta': 'delta',
};

const DRAIN_HIGH_WATER = 1024 * 1024;
const DRAIN_POLL_MS = 10;
const ASSISTANT_CHANNEL = 1;

interface Queued {
  due: number;
  scripted: ScriptedEvent;
}

export class ReplaySession implements SocketSession {
  readonly id: string;
  readonly stats: ReplayStats;
  private readonly ids = new IdMap();
  private readonly byType = new Map<string, { steps: ScriptStep[]; next: number }>();
  private readonly stepIndex = new Map<ScriptStep, number>();
  private readonly matchedSteps = new Set<number>();
  private queue: Queued[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Where each item's previous audio chunk ended in the WAV, to keep chunks contiguous. */
  private readonly audioEnds = new Map<string, number>();

  constructor(private readonly transport: Transport, private readonly options: ReplaySessionOptions) {
    options.steps.forEach((step, index) => this.stepIndex.set(step, index));
    for (const step of options.steps) {
      const type = step.clientEvent.type;
      const entry = this.byType.get(type) ?? { steps: [], next: 0 };
      entry.steps.push(step);
      this.byType.set(type, entry);
    }
    const created = options.opening.find((scripted) => scripted.event.type === 'session.created')?.event;
    const recordedId = typeof (created?.session as { id?: unknown } | undefined)?.id === 'string' ? (created!.session as { id: string }).id : undefined;
    this.id = recordedId ? this.ids.replayId(recordedId) : newId('sess');
    this.stats = { id: this.id, matched: 0, unmatched: [], sent: 0, audioFromWav: 0, audioSilent: 0, idConflicts: 0, stepsLeft: options.steps.length, firstDifference: undefined, unreached: [], ignored: [] };
  }

  start(): void {
    this.schedule(this.options.opening, this.options.opening[0]?.t ?? 0);
  }

  receive(data: Buffer, isBinary: boolean): void {
    if (this.closed || isBinary) return;
    let event: { type: string; [key: string]: unknown };
    try {
      const parsed: unknown = JSON.parse(data.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') return;
      event = this.options.dialect.clientFromWire(parsed as WireEvent) as unknown as { type: string };
    } catch {
      this.stats.unmatched.push('(not a JSON event)');
      return;
    }
    const entry = this.byType.get(event.type);
    const step = entry?.steps[entry.next];
    this.check(event, step);
    if (!entry || !step) {
      this.stats.unmatched.push(event.type);
      this.options.logger.log('debug', `replay ${this.id}: no recorded ${event.type} left to answer`);
      return;
    }
    entry.next += 1;
    this.stats.matched += 1;
    this.stats.stepsLeft -= 1;
    this.ids.learnFrom(step.clientEvent, event);
    this.stats.idConflicts = this.ids.conflicts;
    this.schedule(step.replies, step.t);
  }

  dispose(): void {
    if (!this.closed) this.end();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }

  /**
   * Compares the live event with the step the cassette expects next; keeps the first difference.
   * Past it, an event is still compared with the recorded one of its type and order, only to
   * count the ignored fields that differed: the count covers the whole session.
   */
  private check(event: { type: string }, step: ScriptStep | undefined): void {
    const expectedIndex = this.options.steps.findIndex((_, index) => !this.matchedSteps.has(index));
    const index = step ? this.stepIndex.get(step)! : -1;
    if (index >= 0) this.matchedSteps.add(index);
    const expected = this.options.steps[expectedIndex];
    if (this.stats.firstDifference === undefined && (index < 0 || index !== expectedIndex)) {
      const wanted = expected ? `step ${expectedIndex + 1} ${expected.clientEvent.type}` : 'no more client events';
      this.stats.firstDifference = `expected ${wanted}, got ${event.type}${index < 0 ? ' (the cassette has no more of it)' : ` (recorded at step ${index + 1})`}`;
    }
    const ignore = ignoredIn(this.options.ignore ?? [], event.type);
    if (!step || (this.stats.firstDifference !== undefined && ignore.length === 0)) return;
    // The ids this event itself chose, with those learnt before: one copied into another field is the same id.
    const own = new IdMap();
    own.learnFrom(step.clientEvent, event);
    const difference = firstDifference(step.clientEvent, event, {
      sameId: (recorded, live) => (this.ids.known(recorded) ?? own.known(recorded)) === live,
      ignore,
      onIgnored: (path) => this.countIgnored(path),
    });
    if (difference && this.stats.firstDifference === undefined) {
      this.stats.firstDifference = `step ${index + 1} ${event.type}: ${difference.path}: expected ${quote(difference.expected)}, got ${quote(difference.actual)}`;
    }
  }

  private countIgnored(path: string): void {
    const known = this.stats.ignored.find((entry) => entry.path === path);
    if (known) known.steps += 1;
    else this.stats.ignored.push({ path, steps: 1 });
  }

  private end(): void {
    this.stats.unreached = this.options.steps.flatMap((step, index) => this.matchedSteps.has(index) ? [] : [`step ${index + 1} ${step.clientEvent.type}`]);
    this.options.onEnd?.(this.stats);
  }

  private schedule(events: readonly ScriptedEvent[], baseT: number): void {
    if (this.closed || events.length === 0) return;
    const now = performance.now();
    for (const scripted of events) {
      const delay = this.options.timing === 'immediate' ? 0 : Math.max(0, scripted.t - baseT);
      this.queue.push({ due: now + delay, scripted });
    }
    if (!this.timer) this.pump();
  }

  /** Sends what is due, in order; later events wait for earlier ones even when due sooner. */
  private pump(): void {
    this.timer = undefined;
    while (!this.closed && this.head < this.queue.length) {
      if (!this.transport.isOpen) return this.dispose();
      const next = this.queue[this.head]!;
      const wait = next.due - performance.now();
      const backedUp = this.transport.bufferedAmount > DRAIN_HIGH_WATER;
      if (wait > 1 || backedUp) {
        this.timer = setTimeout(() => this.pump(), backedUp ? DRAIN_POLL_MS : wait);
        return;
      }
      this.head += 1;
      this.send(next.scripted);
    }
    if (this.head > 0 && this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  private send(scripted: ScriptedEvent): void {
    const event = this.materialize(scripted);
    for (const wire of this.options.dialect.serverToWire(event)) this.transport.send(JSON.stringify(wire));
    this.stats.sent += 1;
  }

  /** The recorded event with replay ids, a fresh event_id and its audio rebuilt. */
  private materialize(scripted: ScriptedEvent): ServerEvent {
    const recorded = scripted.event;
    const liveField = LIVE_AUDIO_FIELDS[recorded.type];
    const event: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(recorded)) {
      if (key === 'event_id') event[key] = newId('event');
      else if (key === liveField && isPlaceholder(value)) event[key] = this.liveAudio(value, scripted, String(recorded.item_id ?? ''));
      else event[key] = this.rewrite(value, key, scripted);
    }
    return event as unknown as ServerEvent;
  }

  private rewrite(value: unknown, key: string | undefined, scripted: ScriptedEvent): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && ID_KEYS.has(key)) return this.ids.replayId(value);
      // A client's id echoed elsewhere (its request id in the response's metadata) follows the live client.
      return this.ids.known(value) ?? value;
    }
    if (Array.isArray(value)) return value.map((item) => this.rewrite(item, undefined, scripted));
    if (typeof value !== 'object' || value === null) return value;
    // Audio embedded in an item (a retrieve): not in conversation.wav, so silence of its length.
    if (isPlaceholder(value)) return this.silence(value, scripted);
    const copy: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value as RecordedEvent)) copy[name] = this.rewrite(item, name, scripted);
    return copy;
  }

  private liveAudio(placeholder: Placeholder, scripted: ScriptedEvent, itemId: string): string {
    const { wav } = this.options;
    const format = scripted.outputFormat;
    const samples = Math.floor(placeholder.bytes / (format === 'pcm16' ? 2 : 1));
    if (!wav || placeholder.wavOffsetMs === null || wav.sampleRate !== sampleRateOf(format) || wav.channels < 2) {
      return this.silence(placeholder, scripted);
    }
    let start = Math.round((placeholder.wavOffsetMs * wav.sampleRate) / 1000);
    // Offsets are whole ms: a chunk that follows its predecessor starts exactly where that one ended.
    const previousEnd = this.audioEnds.get(itemId);
    if (previousEnd !== undefined && Math.abs(start - previousEnd) <= Math.ceil(wav.sampleRate / 1000)) start = previousEnd;
    this.audioEnds.set(itemId, start + samples);
    this.stats.audioFromWav += 1;
    return encodeWireAudio(int16ToBuffer(wav.read(ASSISTANT_CHANNEL, start, samples)), format);
  }

  private silence(placeholder: Placeholder, scripted: ScriptedEvent): string {
    const format = scripted.outputFormat;
    this.stats.audioSilent += 1;
    return encodeWireAudio(Buffer.alloc(Math.floor(placeholder.bytes / (format === 'pcm16' ? 2 : 1)) * 2), format);
  }
}

function isPlaceholder(value: unknown): value is Placeholder {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Object.keys(record).length === 2 && typeof record.bytes === 'number'
    && (record.wavOffsetMs === null || typeof record.wavOffsetMs === 'number');
}
