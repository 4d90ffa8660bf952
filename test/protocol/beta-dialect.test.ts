import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betaDialect } from '../../src/protocol/beta-dialect.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { ClientEvent, SessionConfig, WireEvent } from '../../src/protocol/events.js';
import { betaVoiceTurn, gaVoiceTurn } from '../helpers/event-scripts.js';

const fullSession: SessionConfig = {
  type: 'realtime',
  model: 'gpt-4o-realtime-preview-2024-10-01',
  instructions: '俳句で答えて',
  output_modalities: ['text'],
  max_output_tokens: 300,
  audio: {
    input: { format: { type: 'audio/pcmu' }, transcription: { model: 'whisper-1', language: 'ja' }, turn_detection: { type: 'server_vad', threshold: 0.6, silence_duration_ms: 400 } },
    output: { format: { type: 'audio/pcmu' }, voice: 'echo', speed: 1.1 },
  },
  tools: [{ type: 'function', name: 'now', description: 'time', parameters: { type: 'object', properties: {} } }],
};

test('beta session.update flattens the GA session into realtime=v1 fields', () => {
  const wire = betaDialect.clientToWire({ type: 'session.update', session: fullSession });
  assert.deepEqual(wire.session, {
    instructions: '俳句で答えて',
    modalities: ['text'],
    voice: 'echo',
    speed: 1.1,
    input_audio_format: 'g711_ulaw',
    output_audio_format: 'g711_ulaw',
    input_audio_transcription: { model: 'whisper-1', language: 'ja' },
    turn_detection: { type: 'server_vad', threshold: 0.6, silence_duration_ms: 400 },
    max_response_output_tokens: 300,
    tools: fullSession.tools,
  });
});

test('beta session.update keeps an explicit null turn_detection (manual turns)', () => {
  const wire = betaDialect.clientToWire({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  assert.deepEqual(wire.session, { turn_detection: null });
});

test('audio modality becomes beta modalities text+audio', () => {
  const wire = betaDialect.clientToWire({ type: 'response.create', response: { output_modalities: ['audio'], instructions: 'x' } });
  assert.deepEqual(wire.response, { instructions: 'x', modalities: ['text', 'audio'] });
});

test('a beta session read back from the server becomes the same GA session', () => {
  const wire = betaDialect.clientToWire({ type: 'session.update', session: fullSession }) as WireEvent;
  const [created] = betaDialect.serverFromWire({ type: 'session.updated', event_id: 'e1', session: wire.session });
  assert.equal(created!.type, 'session.updated');
  const { model: _model, ...expected } = fullSession;
  assert.deepEqual((created as { session: unknown }).session, expected);
});

test('every beta server event of a voice turn maps to the GA event of the same turn', () => {
  const audio = [Buffer.from([1, 2, 3, 4]), Buffer.from([5, 6])];
  const script = { userItemId: 'item_user', userTranscript: 'こんにちは', assistantTranscript: 'はい 元気です', audioChunks: audio };
  const fromBeta = betaVoiceTurn(script).flatMap((event) => betaDialect.serverFromWire(event as WireEvent));
  const ga = gaVoiceTurn(script);
  const typesOf = (events: object[]): string[] => events.map((event) => (event as { type: string }).type);
  // The beta announced the assistant's item once; GA also sends conversation.item.done for it.
  const isAssistantDone = (event: object): boolean => (event as { type: string; item?: { role?: string } }).type === 'conversation.item.done'
    && (event as { item: { role: string } }).item.role === 'assistant';
  const gaTypes = typesOf(ga.filter((event) => !isAssistantDone(event)));
  assert.deepEqual(typesOf(fromBeta), gaTypes);
  const delta = fromBeta.find((event) => event.type === 'response.output_audio.delta') as { delta: string };
  assert.equal(delta.delta, audio[0]!.toString('base64'));
  const done = fromBeta.find((event) => event.type === 'response.output_item.done') as { item: { content: Array<{ type: string }> } };
  assert.equal(done.item.content[0]!.type, 'output_audio');
});

test('server-side translation sends beta names and never conversation.item.done', () => {
  const ga = gaVoiceTurn({ userTranscript: 'hi', assistantTranscript: 'hello', audioChunks: [Buffer.from([0, 0])] });
  const wire = ga.flatMap((event) => betaDialect.serverToWire(event as never));
  const types = wire.map((event) => event.type);
  assert.ok(types.includes('response.audio.delta'));
  assert.ok(types.includes('response.audio_transcript.done'));
  assert.ok(types.includes('conversation.item.created'));
  assert.ok(!types.includes('conversation.item.done'));
  assert.ok(!types.some((type) => type.includes('output_audio')));
});

test('a beta client event read by a server becomes GA (content parts and session)', () => {
  const event = betaDialect.clientFromWire({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hi' }] } }) as ClientEvent & { item: { content: Array<{ type: string }> } };
  assert.equal(event.item.content[0]!.type, 'output_text');
  const update = betaDialect.clientFromWire({ type: 'session.update', session: { voice: 'echo', input_audio_format: 'g711_alaw' } }) as { session: SessionConfig };
  assert.deepEqual(update.session, { type: 'realtime', audio: { input: { format: { type: 'audio/pcma' } }, output: { voice: 'echo' } } });
});

test('GA dialect passes events through unchanged and adds no headers', () => {
  const event = { type: 'response.create' } as ClientEvent;
  assert.equal(gaDialect.clientToWire(event), event);
  assert.deepEqual(gaDialect.headers, {});
  assert.deepEqual(betaDialect.headers, { 'OpenAI-Beta': 'realtime=v1' });
});

test('a beta client can switch transcription and noise reduction off with null', () => {
  const update = betaDialect.clientFromWire({ type: 'session.update', session: { input_audio_transcription: null, input_audio_noise_reduction: null } }) as { session: SessionConfig };
  assert.deepEqual(update.session.audio?.input, { transcription: null, noise_reduction: null });
});
