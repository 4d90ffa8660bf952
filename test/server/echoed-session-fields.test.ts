/**
 * The read-only fields of the session object (`id`, `object`, `expires_at`, and a beta
 * REST session's `client_secret`) are what an app sends back when it echoes
 * session.created into session.update: accepted when they have the types the `openai`
 * package gives them, refused like any other field (invalid_type / invalid_value and the
 * parameter's path) when not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySessionUpdate, defaultSession } from '../../src/server/session-state.js';
import { applyTranscriptionUpdate } from '../../src/server/transcription-session-state.js';
import { refusalOf } from '../helpers/protocol-refusal.js';
import { MistakeLedger } from '../../src/server/strict/client-mistakes.js';
import { connectClient, startTestServer } from '../helpers/server-harness.js';
import type { Json } from '../helpers/server-client.js';

const session = () => defaultSession('gpt-realtime', 3600);

test('wrongly typed read-only fields in a realtime session.update are refused with the parameter path', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ id: 5 }, 'invalid_type', 'session.id'],
    [{ object: 7 }, 'invalid_type', 'session.object'],
    [{ object: 'realtime.response' }, 'invalid_value', 'session.object'],
    [{ expires_at: 'soon' }, 'invalid_type', 'session.expires_at'],
    [{ client_secret: 'ek_1' }, 'invalid_type', 'session.client_secret'],
    [{ client_secret: { value: 5 } }, 'invalid_type', 'session.client_secret.value'],
    [{ client_secret: { expires_at: 'later' } }, 'invalid_type', 'session.client_secret.expires_at'],
    [{ client_secret: { expires_after: { anchor: 'now' } } }, 'invalid_value', 'session.client_secret.expires_after.anchor'],
    [{ client_secret: { expires_after: { anchor: 'created_at', seconds: '60' } } }, 'invalid_type', 'session.client_secret.expires_after.seconds'],
    [{ client_secret: { secret: 'ek_1' } }, 'unknown_parameter', 'session.client_secret.secret'],
  ];
  for (const [fields, code, param] of cases) {
    const got = refusalOf(() => applySessionUpdate(session(), { type: 'realtime', ...fields }, { assistantHasSpoken: false }), fields);
    assert.deepEqual(got, { code, param }, JSON.stringify(fields));
  }
});

test('wrongly typed read-only fields in a transcription session.update are refused with the parameter path', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ id: 5 }, 'invalid_type', 'session.id'],
    [{ object: 'realtime.session' }, 'invalid_value', 'session.object'],
    [{ expires_at: null }, 'invalid_type', 'session.expires_at'],
    [{ client_secret: { value: 5 } }, 'invalid_type', 'session.client_secret.value'],
  ];
  for (const [fields, code, param] of cases) {
    const got = refusalOf(() => applyTranscriptionUpdate(session(), { type: 'transcription', ...fields }), fields);
    assert.deepEqual(got, { code, param }, JSON.stringify(fields));
  }
});

test('well-typed read-only fields pass, including a beta REST session\'s client_secret and its expiry settings', () => {
  const echoed = { id: 'sess_other', object: 'realtime.session', expires_at: 1_900_000_000, client_secret: { value: 'ek_local', expires_at: 1_900_000_000 } };
  const next = applySessionUpdate(session(), { type: 'realtime', ...echoed }, { assistantHasSpoken: false });
  assert.notEqual(next.id, 'sess_other', 'the session keeps its own id');
  applySessionUpdate(session(), { type: 'realtime', client_secret: { expires_after: { anchor: 'created_at', seconds: 600 } } }, { assistantHasSpoken: false });
  applyTranscriptionUpdate(session(), { type: 'transcription', id: 'sess_t', object: 'realtime.transcription_session', expires_at: 1_900_000_000 });
});

test('under --strict, echoing session.created back is accepted (GA, beta and transcription); a mistyped echo is refused naming its event', async () => {
  const server = await startTestServer({ strict: new MistakeLedger(() => undefined) });
  for (const options of [{}, { headers: { 'OpenAI-Beta': 'realtime=v1' } }, { path: '/realtime?intent=transcription' }]) {
    const { client, session: created } = await connectClient(server, options);
    client.send({ type: 'session.update', event_id: 'evt_echo', session: created });
    const reply = await client.nextMatching((event) => event.type === 'session.updated' || event.type === 'error', 'the echo\'s answer');
    assert.equal(reply.type, 'session.updated', `${JSON.stringify(options)}: ${JSON.stringify(reply)}`);
    client.send({ type: 'session.update', event_id: 'evt_bad_echo', session: { ...created, expires_at: String(created.expires_at ?? 'soon') } });
    const error = (await client.next('error')).error as Json;
    assert.deepEqual([error.code, error.param, error.event_id], ['invalid_type', 'session.expires_at', 'evt_bad_echo'], JSON.stringify(options));
  }
});
