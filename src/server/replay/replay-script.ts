/**
 * A recording's server side as a script: each server event is due after one of the
 * recorded client's events (a "step"), and the replay sends it once the live client has
 * sent the matching event. Which step: the client event that caused it when that is
 * clear (session.updated answers session.update, response.created answers response.create,
 * conversation.item.added answers the client's conversation.item.create, an error names
 * its event; a response's events follow its response.created, an item's transcription
 * follows the item), else the last client event before it. Server events never overtake
 * each other: a step is never earlier than the previous server event's. So a client that
 * waits for session.updated before going on is answered, even when the recorded client
 * sent several events before the first reply came. session.created opens the session
 * wherever it was recorded; a recording that lacks it (the client missed it) gets kaiwa
 * serve's default session.
 */
import { join } from 'node:path';
import { readRecording } from '../../recording/recording-reader.js';
import { CONVERSATION_WAV, type EventRecord, type RecordedEvent } from '../../recording/recording-files.js';
import { fromBetaFormat, fromGaFormat, type AudioFormatName } from '../../protocol/audio-format.js';
import type { WireAudioFormat } from '../../protocol/events.js';
import { defaultSession, sessionForWire } from '../session-state.js';
import { UsageError } from '../../errors.js';
import { WavChannelReader } from './wav-channel-reader.js';
import { checkCassette } from './cassette-check.js';

export interface ScriptedEvent {
  /** Ms since the recording started. */
  t: number;
  event: RecordedEvent;
  /** The session's output audio format when the event was sent (for regenerating audio). */
  outputFormat: AudioFormatName;
}

export interface ScriptStep {
  /** The recorded client event this step answers. */
  clientEvent: RecordedEvent;
  t: number;
  replies: ScriptedEvent[];
}

export interface ReplayScript {
  dir: string;
  opening: ScriptedEvent[];
  steps: ScriptStep[];
  serverEventCount: number;
  /** conversation.wav, when the recording has one. */
  wavPath: string | undefined;
  skippedLines: number;
  /** What replays, though the recording was cut short (see cassette-check.ts). */
  warnings: string[];
}

export function loadReplayScript(dir: string): ReplayScript {
  const recording = readRecording(dir);
  if (recording.protocol !== undefined) {
    throw new UsageError(`${dir} is a recording of ${recording.protocol === 'live' ? 'GPT-Live' : recording.protocol} frames; kaiwa serve replays recordings of Realtime API sessions only`);
  }
  const script = buildReplayScript(recording.records, recording.model);
  const warnings = checkCassette(recording);
  return { ...script, dir, wavPath: recording.wavPath, skippedLines: recording.skippedLines, warnings };
}

export function buildReplayScript(records: readonly EventRecord[], model = 'gpt-realtime'): Pick<ReplayScript, 'opening' | 'steps' | 'serverEventCount'> {
  const opening: ScriptedEvent[] = [];
  const steps: ScriptStep[] = [];
  const causes = new Causes();
  let outputFormat: AudioFormatName = 'pcm16';
  let serverEventCount = 0;
  let gate = -1;
  let opened = false;
  for (const record of records) {
    if (record.dir === 'client') {
      steps.push({ clientEvent: record.event, t: record.t, replies: [] });
      causes.clientEvent(record.event, steps.length - 1);
    } else if (record.dir === 'server') {
      outputFormat = outputFormatOf(record.event) ?? outputFormat;
      const scripted = { t: record.t, event: record.event, outputFormat };
      serverEventCount += 1;
      if (record.event.type === 'session.created' && !opened) {
        opened = true;
        opening.push(scripted);
        continue;
      }
      gate = Math.max(gate, causes.serverEvent(record.event, steps.length - 1));
      (gate < 0 ? opening : steps[gate]!.replies).push(scripted);
    }
  }
  if (!opened) {
    const session = sessionForWire(defaultSession(model, 3600)) as unknown as Record<string, unknown>;
    opening.unshift({ t: opening[0]?.t ?? 0, event: { type: 'session.created', event_id: 'event_replay', session }, outputFormat: 'pcm16' });
  }
  return { opening, steps, serverEventCount };
}

/** Server event types that answer one client event, by that event's type. */
const ANSWERS: Readonly<Record<string, readonly string[]>> = {
  'session.update': ['session.updated'],
  'input_audio_buffer.commit': ['input_audio_buffer.committed'],
  'input_audio_buffer.clear': ['input_audio_buffer.cleared'],
  'conversation.item.create': ['conversation.item.added', 'conversation.item.done'],
  'conversation.item.retrieve': ['conversation.item.retrieved'],
  'conversation.item.truncate': ['conversation.item.truncated'],
  'conversation.item.delete': ['conversation.item.deleted'],
  'response.create': ['response.created'],
};

/** Which recorded client event (step index) caused a server event, as far as the events tell. */
class Causes {
  /** Steps still waiting for an answer of each type, oldest first. */
  private readonly waiting = new Map<string, number[]>();
  private readonly byEventId = new Map<string, number>();
  private readonly ofResponse = new Map<string, number>();
  private readonly ofItem = new Map<string, number>();

  clientEvent(event: RecordedEvent, step: number): void {
    if (typeof event.event_id === 'string') this.byEventId.set(event.event_id, step);
    for (const answer of ANSWERS[event.type] ?? []) {
      const list = this.waiting.get(answer) ?? [];
      list.push(step);
      this.waiting.set(answer, list);
    }
  }

  /** The cause's step; `last` (the client event just before) when nothing says otherwise. */
  serverEvent(event: RecordedEvent, last: number): number {
    const cause = this.find(event) ?? last;
    const responseId = asRecord(event.response)?.id;
    if (event.type === 'response.created' && typeof responseId === 'string') this.ofResponse.set(responseId, cause);
    const itemId = typeof event.item_id === 'string' ? event.item_id : asRecord(event.item)?.id;
    if (typeof itemId === 'string' && !this.ofItem.has(itemId)) this.ofItem.set(itemId, cause);
    return cause;
  }

  private find(event: RecordedEvent): number | undefined {
    if (event.type === 'error') {
      const eventId = asRecord(event.error)?.event_id;
      return typeof eventId === 'string' ? this.byEventId.get(eventId) : undefined;
    }
    const waiting = this.waiting.get(event.type);
    if (waiting?.length && this.answersClient(event)) {
      const step = waiting.shift()!;
      // added and done both answer one create: the second finds it again.
      if (event.type === 'conversation.item.added') this.waiting.set('conversation.item.done', withoutFirst(this.waiting.get('conversation.item.done'), step));
      return step;
    }
    const responseId = typeof event.response_id === 'string' ? event.response_id : asRecord(event.response)?.id;
    if (typeof responseId === 'string' && this.ofResponse.has(responseId)) return this.ofResponse.get(responseId);
    const itemId = typeof event.item_id === 'string' ? event.item_id : asRecord(event.item)?.id;
    if (typeof itemId === 'string' && this.ofItem.has(itemId)) return this.ofItem.get(itemId);
    return undefined;
  }

  /** Items of responses and of the server's turn detection are not answers to an item.create. */
  private answersClient(event: RecordedEvent): boolean {
    if (event.type !== 'conversation.item.added' && event.type !== 'conversation.item.done') return true;
    const item = asRecord(event.item);
    if (typeof item?.id === 'string' && this.ofItem.has(item.id)) return false;
    if (item?.type === 'function_call_output') return true;
    if (item?.type !== 'message' || item.role === 'assistant') return false;
    const content = Array.isArray(item.content) ? item.content : [];
    return !content.some((part) => asRecord(part)?.type === 'input_audio');
  }
}

function withoutFirst(list: number[] | undefined, step: number): number[] {
  const copy = [...(list ?? [])];
  const index = copy.indexOf(step);
  if (index >= 0) copy.splice(index, 1);
  return copy;
}

export function openConversationWav(dir: string): WavChannelReader | undefined {
  return WavChannelReader.open(join(dir, CONVERSATION_WAV));
}

function outputFormatOf(event: RecordedEvent): AudioFormatName | undefined {
  if (event.type !== 'session.created' && event.type !== 'session.updated') return undefined;
  const session = asRecord(event.session);
  const output = asRecord(asRecord(session?.audio)?.output);
  return fromGaFormat(asRecord(output?.format) as WireAudioFormat | undefined) ?? fromBetaFormat(session?.output_audio_format);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
