import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { MicControl } from '../../src/cli/mic-control.js';
import type { RealtimeSession } from '../../src/client/session.js';
import type { Logger } from '../../src/logger.js';
import type { ServerEvent } from '../../src/protocol/events.js';

const SAID = 'The weather in the mountains in autumn is cold and windy, and the leaves fall early.';

function setUp(responseInFlight: boolean, loopPossible = true) {
  const session = Object.assign(new EventEmitter(), { responseInFlight, cleared: 0, clearAudio() { this.cleared += 1; } });
  const lines: string[] = [];
  const debugLines: string[] = [];
  const logger = { log: (level: string, line: string) => (level === 'debug' ? debugLines : lines).push(line) } as unknown as Logger;
  let interrupts = 0;
  const mic = new MicControl({
    session: session as unknown as RealtimeSession, logger, ui: undefined, pushToTalk: false, halfDuplex: undefined, loopPossible,
    interrupt: () => { interrupts += 1; }, flushCapture: () => undefined,
  });
  const hearItself = (): void => {
    mic.checkForLoop({ type: 'response.output_audio_transcript.done', transcript: SAID } as ServerEvent);
    mic.checkForLoop({ type: 'conversation.item.input_audio_transcription.completed', transcript: SAID } as ServerEvent);
  };
  return { session, lines, debugLines, mic, hearItself, interrupts: () => interrupts };
}

test('a loop pauses the microphone once, stops the reply once, and resumes when that reply ends, saying so', () => {
  const { session, lines, debugLines, mic, hearItself, interrupts } = setUp(true);
  hearItself();
  hearItself();
  assert.equal(mic.gate.isOpen(), false, 'paused');
  assert.match(debugLines.join('\n'), /microphone not sent: loop pause/, '--debug says why');
  assert.equal(interrupts(), 1, 'one interrupt (one response.cancel)');
  assert.equal(session.cleared, 1);
  assert.match(lines.join('\n'), /microphone paused until the reply ends/);
  session.responseInFlight = false;
  mic.checkForLoop({ type: 'response.done', response: { id: 'r' } } as ServerEvent);
  assert.equal(mic.gate.isOpen(), true, 'resumed');
  assert.match(lines.at(-1)!, /microphone on again \(the reply that looped has ended\)/);
  assert.match(debugLines.at(-1)!, /microphone sent again/);
});

test('where nothing played can be captured (a WAV file as input, no speaker), repeating the assistant\'s words is no loop', () => {
  const { session, lines, mic, hearItself, interrupts } = setUp(true, false);
  hearItself();
  hearItself();
  assert.equal(mic.gate.isOpen(), true, 'the input goes on');
  assert.equal(interrupts(), 0);
  assert.equal(session.cleared, 0);
  assert.deepEqual(lines, []);
});

test('with no reply to wait for, a loop pause ends by itself after ten seconds', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { mic, lines, hearItself, interrupts } = setUp(false);
    hearItself();
    assert.equal(interrupts(), 0, 'nothing to cancel');
    mock.timers.tick(9_999);
    assert.equal(mic.gate.isOpen(), false);
    mock.timers.tick(1);
    assert.equal(mic.gate.isOpen(), true);
    assert.match(lines.at(-1)!, /no reply came/);
  } finally {
    mock.timers.reset();
  }
});

test('the mute key resumes a loop pause at once', () => {
  const { mic, lines, hearItself } = setUp(true);
  hearItself();
  mic.toggleMute();
  assert.equal(mic.gate.isOpen(), true);
  assert.match(lines.at(-1)!, /resumed by key/);
});

test('on a GPT-Live session the mute key sends session.input_audio.mute and unmute (held until the session has started) and closes the gate', async () => {
  const { InMemoryTransport, drained } = await import('../helpers/in-memory-transport.js');
  const { LiveTransport } = await import('../../src/protocol/live/live-transport.js');
  const { RealtimeSession } = await import('../../src/client/session.js');
  const { dialectFor } = await import('../../src/protocol/dialects.js');
  const socket = new InMemoryTransport();
  const session = new RealtimeSession(new LiveTransport(socket), dialectFor('ga'));
  const logger = { log: () => undefined } as unknown as Logger;
  const mic = new MicControl({ session, logger, ui: undefined, pushToTalk: false, halfDuplex: undefined, loopPossible: true, interrupt: () => undefined, flushCapture: () => undefined });
  session.updateSession({ type: 'realtime', model: 'gpt-live-1' });
  mic.toggleMute();
  assert.equal(mic.gate.isOpen(), false, 'muted: no audio goes out');
  assert.deepEqual(socket.received.map((event) => event.type), ['session.start'], 'nothing but session.start before session.started');
  socket.deliver({ type: 'session.started', event_id: 'ev_1', session: { id: 'sess_1', expires_at: 1, model: 'gpt-live-1', status: 'active' } });
  await drained();
  mic.toggleMute();
  assert.equal(mic.gate.isOpen(), true);
  assert.deepEqual(socket.received.map((event) => event.type), ['session.start', 'session.input_audio.mute', 'session.input_audio.unmute']);
  assert.ok(socket.received.slice(1).every((event) => typeof event.event_id === 'string'), 'each with an event_id for its acknowledgement');
});
