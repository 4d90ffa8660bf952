import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialConversation, reduceConversation, type ConversationState } from '../../src/client/conversation.js';
import type { ServerEvent, WireEvent } from '../../src/protocol/events.js';
import { betaDialect } from '../../src/protocol/beta-dialect.js';
import { betaVoiceTurn, gaSessionCreated, gaVoiceTurn, SAMPLE_USAGE } from '../helpers/event-scripts.js';

function fold(events: object[], start: ConversationState = initialConversation): ConversationState {
  return events.reduce<ConversationState>((state, event) => reduceConversation(state, event as ServerEvent), start);
}

const turn = {
  userItemId: 'item_u1', userTranscript: '今日の天気は？', assistantTranscript: '秋晴れです。 風が 心地よい。',
  audioChunks: [Buffer.alloc(4800), Buffer.alloc(4800), Buffer.alloc(2400)],
};

test('a recorded GA voice turn folds into a user line, an assistant line and usage', () => {
  const state = fold([gaSessionCreated(), ...gaVoiceTurn(turn)]);
  assert.equal(state.items.length, 2);
  const [user, assistant] = state.items;
  assert.deepEqual([user!.speaker, user!.text, user!.transcriptPending], ['user', '今日の天気は？', false]);
  assert.deepEqual([assistant!.speaker, assistant!.text, assistant!.status], ['assistant', '秋晴れです。 風が 心地よい。', 'completed']);
  assert.equal(assistant!.audioBytes, 12000);
  assert.equal(state.activeResponseId, undefined);
  assert.equal(state.responses.length, 1);
  assert.deepEqual(state.tokens, {
    inputText: 102, inputAudio: 16, inputImage: 0, cachedText: 0, cachedAudio: 0, cachedImage: 0, outputText: 22, outputAudio: 0,
  });
  assert.equal(state.session?.type, 'realtime');
});

test('the same turn in the beta dialect gives the same conversation', () => {
  const ga = fold(gaVoiceTurn(turn));
  const beta = fold(betaVoiceTurn(turn).flatMap((event) => betaDialect.serverFromWire(event as WireEvent)));
  const strip = (state: ConversationState): unknown => state.items.map(({ responseId: _r, ...item }) => ({ ...item, id: item.speaker }));
  assert.deepEqual(strip(beta), strip(ga));
  assert.deepEqual(beta.tokens, ga.tokens);
});

test('a user transcript still pending while the reply streams is marked pending', () => {
  const events = gaVoiceTurn(turn);
  const beforeTranscript = events.slice(0, events.findIndex((event) => (event as { type: string }).type === 'conversation.item.input_audio_transcription.completed'));
  const state = fold(beforeTranscript);
  assert.equal(state.items[0]!.transcriptPending, true);
  assert.notEqual(state.activeResponseId, undefined);
  assert.equal(state.items[1]!.text, '秋晴れです。 風が 心地よい。');
});

test('usage accumulates across responses and cached tokens are split out', () => {
  const cachedUsage = { ...SAMPLE_USAGE, input_token_details: { cached_tokens: 64, text_tokens: 102, audio_tokens: 16, cached_tokens_details: { text_tokens: 60, audio_tokens: 4 } } };
  const state = fold([...gaVoiceTurn(turn), ...gaVoiceTurn({ ...turn, userItemId: 'item_u2', usage: cachedUsage })]);
  assert.equal(state.responses.length, 2);
  assert.equal(state.tokens.inputText, 204);
  assert.equal(state.tokens.cachedText, 60);
  assert.equal(state.tokens.cachedAudio, 4);
});

test('items honour previous_item_id, truncation and deletion', () => {
  const item = (id: string, text: string): object => ({ id, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text }] });
  const state = fold([
    { type: 'conversation.item.added', event_id: 'e1', previous_item_id: null, item: item('a', 'first') },
    { type: 'conversation.item.added', event_id: 'e2', previous_item_id: 'a', item: item('c', 'third') },
    { type: 'conversation.item.added', event_id: 'e3', previous_item_id: 'a', item: item('b', 'second') },
    { type: 'conversation.item.deleted', event_id: 'e4', item_id: 'c' },
    { type: 'conversation.item.truncated', event_id: 'e5', item_id: 'b', content_index: 0, audio_end_ms: 1234 },
  ]);
  assert.deepEqual(state.items.map((view) => view.id), ['a', 'b']);
  assert.equal(state.items[1]!.truncatedAtMs, 1234);
});

test('unknown events leave the state untouched', () => {
  const state = fold([{ type: 'future.event.kind', event_id: 'x' }]);
  assert.equal(state, initialConversation);
});
