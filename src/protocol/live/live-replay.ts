import type { ClientEvent, ServerEvent, WireEvent } from '../events.js';
import { LiveClientDialect, TYPED_LINE_PREFIX, type SilenceTimers } from './live-client-dialect.js';
import { liveAudioField } from './live-audio.js';

/** One line of a recording: ms since it began, who spoke, and the event (structurally, the recorder's EventRecord). */
export interface TimedEvent {
  t: number;
  dir: 'client' | 'server' | 'meta';
  event: { type: string; [key: string]: unknown };
}

type Json = Record<string, unknown>;

/**
 * A recording of GPT-Live frames read as kaiwa's own (GA) events, for everything that reads
 * recordings (the transcript of `kaiwa replay`): the frames go through the same dialect as
 * in the session, on the recording's clock, so replies end in silence where they ended then
 * and carry the same made-up ids as the recorder's notes. `localNote` is the type of the
 * notes holding kaiwa's events that no frame carried (a truncation, a cancel).
 */
export function gaEventsOfLiveFrames(records: readonly TimedEvent[], localNote: string): TimedEvent[] {
  const clock = new RecordingClock();
  const out: TimedEvent[] = [];
  const server = (t: number, events: readonly ServerEvent[]): void => {
    for (const event of events) out.push({ t, dir: 'server', event: event as unknown as TimedEvent['event'] });
  };
  const dialect = new LiveClientDialect({ deliver: (events) => server(clock.now, events), sendWire: () => undefined, timers: clock });
  const client = (t: number, event: ClientEvent): void => {
    out.push({ t, dir: 'client', event: event as unknown as TimedEvent['event'] });
    server(t, dialect.clientToWire(event).local);
  };
  for (const record of records) {
    clock.advanceTo(record.t);
    const { event } = record;
    if (record.dir === 'meta') {
      if (event.type === localNote) client(record.t, event.event as ClientEvent);
      else out.push(record);
    } else if (record.dir === 'client') {
      const ga = gaClientEventOf(event);
      if (ga) client(record.t, ga);
    } else {
      server(record.t, fromFrame(dialect, event));
    }
  }
  // The recording's end is the session's: no silence after its last line ended a reply, so one
  // still under way is cut off, as the connection's end (or a crash) cut it off in the session.
  server(clock.now, dialect.dispose());
  return out;
}

/** A recorded server frame through the dialect; an audio chunk keeps its placeholder (where it sits in the WAV). */
function fromFrame(dialect: LiveClientDialect, frame: TimedEvent['event']): ServerEvent[] {
  const field = liveAudioField(frame);
  if (!field) return dialect.serverFromWire(frame as WireEvent);
  const events = dialect.serverFromWire({ ...frame, [field]: '' } as WireEvent);
  return events.map((event) => (event.type === 'response.output_audio.delta' ? { ...event, delta: frame[field] } as unknown as ServerEvent : event));
}

/** What kaiwa meant by a Live command it sent (the dialect's translation, backwards). */
function gaClientEventOf(frame: TimedEvent['event']): ClientEvent | undefined {
  const eventId = typeof frame.event_id === 'string' ? { event_id: frame.event_id } : {};
  switch (frame.type) {
    case 'session.start':
      return { type: 'session.update', ...eventId, session: { type: 'realtime', model: String((frame.session as Json | undefined)?.model ?? '') } } as ClientEvent;
    case 'session.input_audio.append':
      return { type: 'input_audio_buffer.append', ...eventId, audio: frame.audio } as unknown as ClientEvent;
    case 'session.instructions.append': {
      const content = String(frame.content ?? '');
      const typed = content.startsWith(TYPED_LINE_PREFIX);
      const text = typed ? content.slice(TYPED_LINE_PREFIX.length) : content;
      return { type: 'conversation.item.create', ...eventId, item: { type: 'message', role: typed ? 'user' : 'system', content: [{ type: 'input_text', text }] } } as ClientEvent;
    }
    case 'response.item.create': {
      const item = frame.item as Json | undefined;
      if (item?.type !== 'function_call_output') return undefined;
      return { type: 'conversation.item.create', ...eventId, item: { type: 'function_call_output', call_id: String(item.call_id), output: String(item.output ?? '') } } as ClientEvent;
    }
    case 'response.create':
      return { type: 'response.create', ...eventId } as ClientEvent;
    default:
      return undefined;
  }
}

/** Silence timers on the recording's time: a timer fires when the replay reaches its moment. */
class RecordingClock implements SilenceTimers {
  now = 0;
  private readonly timers = new Set<{ at: number; callback: () => void }>();

  set(callback: () => void, ms: number): unknown {
    const timer = { at: this.now + ms, callback };
    this.timers.add(timer);
    return timer;
  }

  clear(handle: unknown): void {
    this.timers.delete(handle as { at: number; callback: () => void });
  }

  advanceTo(t: number): void {
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.at <= t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due);
      this.now = due.at;
      due.callback();
    }
    this.now = Math.max(this.now, t);
  }
}
