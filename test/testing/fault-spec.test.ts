/** `--faults SPEC`: the grammar, and each fault armed from it as the injector carries it out. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector, armFaults, describeFaults, parseFaultSpec } from '../../src/testing/index.js';
import { EventPacer } from '../../src/testing/event-pacer.js';
import { connectClient, startTestServer, textSession, userText, types } from '../helpers/server-harness.js';
import { TestClient } from '../helpers/server-client.js';
import { serve } from '../helpers/serve-run.js';
import { mock } from 'node:test';

test('parseFaultSpec reads every fault, durations in ms, s and m', () => {
  assert.deepEqual(parseFaultSpec('drop-after-events=20, drop-after=1.5s,drop-mid-response,expire-after=1m,refuse=503*2,delay=50ms,jitter=20,rate-limit-error'), {
    dropAfterEvents: 20, dropAfterMs: 1500, dropMidResponse: true, expireAfterMs: 60_000,
    refuse: { status: 503, count: 2 }, delayMs: 50, jitterMs: 20, rateLimitNth: 1,
  });
  assert.deepEqual(parseFaultSpec('refuse=429,rate-limit-error=3'), { refuse: { status: 429, count: 'all' }, rateLimitNth: 3 });
  assert.equal(describeFaults(parseFaultSpec('refuse=429,delay=5ms')), 'faults: refuse every connection with 429, delay 5 ms');
  assert.deepEqual(parseFaultSpec('silence-after-events=0,malformed-event=4'), { silenceAfterEvents: 0, malformedEvent: 4 });
  assert.equal(describeFaults(parseFaultSpec('silence-after-events=2,malformed-event=4')), 'faults: silent after 2 events, event #4 cut off');
});

test('parseFaultSpec: a bad spec is one line naming the part and what is allowed', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /at least one fault/],
    ['drop-sometimes', /unknown fault 'drop-sometimes' \(known: drop-after-events, drop-after, /],
    ['drop-after=soon', /'drop-after=soon': expected a duration such as 250ms/],
    ['refuse=418', /expected a status among 401, 403, 404, 429, 500, 503/],
    ['drop-after-events=0', /expected a whole number from 1/],
    ['drop-mid-response=2', /takes no value/],
    ['delay', /delay needs a value/],
    ['delay=50ms=3', /'delay=50ms=3': expected a duration/],
    ['refuse=429,refuse=503', /'refuse' is given twice/],
    ['silence-after-events', /silence-after-events needs a value \(e\.g\. silence-after-events=2\)/],
    ['silence-after-events=-1', /expected a whole number from 0/],
    ['malformed-event=0', /expected a whole number from 1/],
  ];
  for (const [spec, message] of bad) {
    assert.throws(() => parseFaultSpec(spec), (error: Error) => error.name === 'UsageError' && message.test(error.message) && !error.message.includes('\n'), spec);
  }
});

test('EventPacer: events are held back by delay + jitter and never overtake each other', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const sent: string[] = [];
    const draws = [0.9, 0, 0.5];
    const pacer = new EventPacer({ delayMs: 50, jitterMs: 20, random: () => draws.shift()! }, (text, done) => { sent.push(text); done(); });
    pacer.send('a'); // due 68
    pacer.send('b'); // drawn 50, held to 68 behind a
    mock.timers.tick(10);
    pacer.send('c'); // due 10 + 60 = 70
    mock.timers.tick(57);
    assert.deepEqual(sent, []);
    mock.timers.tick(1);
    assert.deepEqual(sent, ['a', 'b']);
    mock.timers.tick(2);
    assert.deepEqual(sent, ['a', 'b', 'c']);
  } finally {
    mock.timers.reset();
  }
});

test('armFaults: drop-after-events counts every server event of each session', async () => {
  const faults = new FaultInjector();
  armFaults(faults, parseFaultSpec('drop-after-events=3'));
  const server = await startTestServer({ connectionHook: faults });
  for (let i = 0; i < 2; i++) {
    const client = await textSession(server); // session.created, session.updated
    client.send(userText('hello'));
    await client.waitClosed();
    assert.deepEqual(types(client.events), ['session.created', 'session.updated', 'conversation.item.added']);
    assert.equal(client.closed?.code, 1006);
  }
});

test('armFaults: a refusal count runs out, then connections are accepted', async () => {
  const faults = new FaultInjector();
  armFaults(faults, parseFaultSpec('refuse=429*1'));
  const server = await startTestServer({ connectionHook: faults });
  await assert.rejects(connectClient(server), /HTTP 429/);
  await connectClient(server);
});

/** Once a ping is answered, every frame the server wrote before it has arrived (one socket, in order). */
async function pingPong(client: { ws: import('ws').WebSocket }): Promise<void> {
  await new Promise<void>((resolve) => {
    client.ws.once('pong', () => resolve());
    client.ws.ping();
  });
}

test('armFaults: silence-after-events=2 withholds the third server event and all after it; the connection stays open and answers pings', async () => {
  const faults = new FaultInjector();
  armFaults(faults, parseFaultSpec('silence-after-events=2'));
  const reports: string[] = [];
  faults.on('fault', (report) => reports.push(`${report.action} ${report.trigger} #${report.nth}`));
  const server = await startTestServer({ connectionHook: faults });
  const client = await textSession(server); // session.created, session.updated
  client.send(userText('hello'));
  client.send({ type: 'response.create' });
  await pingPong(client);
  assert.deepEqual(types(client.events), ['session.created', 'session.updated']);
  assert.equal(client.closed, undefined);
  assert.deepEqual(reports, ['silence conversation.item.added #3']);
});

test('armFaults: silence-after-events=0 is a server that never begins a session', async () => {
  const faults = new FaultInjector();
  armFaults(faults, parseFaultSpec('silence-after-events=0'));
  const server = await startTestServer({ connectionHook: faults });
  const client = await TestClient.connect(server.url);
  after(() => client.close());
  await pingPong(client);
  assert.deepEqual(client.events, []);
  assert.equal(faults.history[0]?.trigger, 'session.created');
});

test('armFaults: malformed-event=2 sends the second server event cut off (not JSON); the session goes on', async () => {
  const faults = new FaultInjector();
  armFaults(faults, parseFaultSpec('malformed-event=2'));
  const server = await startTestServer({ connectionHook: faults });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: null } } } });
  const cut = await client.next('not-json');
  assert.ok(String(cut.text).startsWith('{"type":"session.updated"'), String(cut.text));
  client.send(userText('hello'));
  await client.next('conversation.item.added');
  assert.deepEqual(faults.history.map((report) => `${report.action} ${report.trigger} #${report.nth}`), ['malform session.updated #2']);
});

test('kaiwa serve --faults logs each fault in one line: a session falling silent, an event cut off', async () => {
  const silent = await serve({ faults: 'silence-after-events=1' });
  const quiet = await TestClient.connect(silent.server.url);
  after(() => quiet.close());
  quiet.send({ type: 'session.update', session: { type: 'realtime' } });
  assert.match(await silent.logLine(/^fault: /), /^fault: session sess_\w+ falls silent at server event session\.updated \(it and all after it withheld\)$/);
  const cutting = await serve({ faults: 'malformed-event=1' });
  const cut = await TestClient.connect(cutting.server.url);
  after(() => cut.close());
  assert.match(await cutting.logLine(/^fault: /), /^fault: sent server event session\.created of session sess_\w+ cut off \(not JSON\)$/);
});
