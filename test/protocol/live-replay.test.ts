import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaEventsOfLiveFrames, type TimedEvent } from '../../src/protocol/live/live-replay.js';

const NOTE = 'kaiwa.local_event';
const started: TimedEvent = { t: 0, dir: 'server', event: { type: 'session.started', event_id: 'ev_s', session: { id: 'sess_1', expires_at: 1, model: 'gpt-live-1', status: 'active' } } };
const reply = (t: number, delta: string): TimedEvent => ({ t, dir: 'server', event: { type: 'session.output_transcript.delta', event_id: `ev_${t}`, delta, start_ms: t, end_ms: t + 100 } });
const microphone = (t: number): TimedEvent => ({ t, dir: 'client', event: { type: 'session.input_audio.append', event_id: `mic_${t}`, audio: { bytes: 960, wavOffsetMs: t } } });

function responseStatuses(records: TimedEvent[]): string[] {
  return gaEventsOfLiveFrames(records, NOTE)
    .filter(({ event }) => event.type === 'response.done')
    .map(({ event }) => String((event.response as { status: string }).status));
}

test('a reply under way when the recording ends (a crash: no session.closed) is cut off: it gets no response.done', () => {
  assert.deepEqual(responseStatuses([started, reply(100, 'Once upon'), reply(400, ' a time'), microphone(1200)]), []);
});

test('a reply the recording shows 2 s of silence after is completed, as the session\'s silence timer completed it', () => {
  assert.deepEqual(responseStatuses([started, reply(100, 'Hello.'), microphone(1200), microphone(2500)]), ['completed']);
});
