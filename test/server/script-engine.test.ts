/** The script engine on its own: the file's grammar, and which turn answers what. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReplyScript, loadReplyScript } from '../../src/server/engines/scripted-turns.js';
import { ScriptEngine } from '../../src/server/engines/script-engine.js';
import type { EngineChunk, EngineMessage, ReplyEngine } from '../../src/server/engines/reply-engine.js';

async function answer(engine: ReplyEngine, messages: EngineMessage[]): Promise<EngineChunk[]> {
  const chunks: EngineChunk[] = [];
  for await (const chunk of engine.reply({ instructions: '', messages, tools: [], toolChoice: 'auto', signal: new AbortController().signal })) chunks.push(chunk);
  return chunks;
}

const said = (chunks: EngineChunk[]) => chunks.map((chunk) => chunk.type === 'text' ? chunk.delta : `<${chunk.type}>`).join('');
const user = (text: string): EngineMessage => ({ role: 'user', text });

test('sequence: each turn answers once, in order; an unmatched turn gets the default and the script waits', async () => {
  const engine = new ScriptEngine(parseReplyScript({
    turns: [{ match: 'hello', reply: 'Hi!' }, { match: '/^how are (you|things)\\b/i', reply: 'Fine, and {heard}?' }],
    default: 'Pardon? You said {heard}.',
  })).forSession();
  assert.equal(said(await answer(engine, [user('well hello there')])), 'Hi!');
  assert.equal(said(await answer(engine, [user('hello again')])), 'Pardon? You said hello again.');
  assert.equal(said(await answer(engine, [user('How are things')])), 'Fine, and How are things?');
  assert.equal(said(await answer(engine, [user('how are you')])), 'Pardon? You said how are you.', 'used up');
});

test('match: the first matching turn answers every time; sessions keep their own place', async () => {
  const script = new ScriptEngine(parseReplyScript({ order: 'match', turns: [{ match: ['rain', 'snow'], reply: 'Take a coat.' }, { reply: 'Anything else.' }] }));
  const one = script.forSession();
  assert.equal(said(await answer(one, [user('will it snow')])), 'Take a coat.');
  assert.equal(said(await answer(one, [user('RAIN?')])), 'Take a coat.');
  assert.equal(said(await answer(one, [user('sun')])), 'Anything else.');
  const sequence = new ScriptEngine(parseReplyScript({ turns: [{ reply: 'first' }, { reply: 'second' }] }));
  const a = sequence.forSession();
  const b = sequence.forSession();
  assert.equal(said(await answer(a, [user('x')])), 'first');
  assert.equal(said(await answer(a, [user('x')])), 'second');
  assert.equal(said(await answer(b, [user('x')])), 'first');
});

test('a call with arguments, the turn after its result, an error and a pause', async () => {
  const engine = new ScriptEngine(parseReplyScript({
    turns: [
      { match: 'weather', reply: [{ say: 'Checking.' }, { call: 'get_weather', arguments: { city: 'Paris' } }] },
      { after_tool: 'get_weather', reply: 'The {tool} tool says {output}.' },
      { match: 'break', reply: [{ pause: 5 }, { error: { code: 'overloaded', message: 'Busy: {heard}' } }] },
    ],
  })).forSession();
  const call = await answer(engine, [user('weather in Paris?')]);
  assert.deepEqual(call.slice(-1), [{ type: 'tool_call', callId: 'call_script1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
  const after = await answer(engine, [user('weather in Paris?'), { role: 'tool_call', callId: 'call_script1', name: 'get_weather', arguments: '{}' }, { role: 'tool_result', callId: 'call_script1', output: 'sunny' }]);
  assert.equal(said(after), 'The get_weather tool says sunny.');
  assert.deepEqual(await answer(engine, [user('break it')]), [{ type: 'error', error: { type: 'server_error', code: 'overloaded', message: 'Busy: break it' } }]);
});

test('a /regex/g pattern matches the same words every time, in every session (no state kept between tests)', async () => {
  const script = new ScriptEngine(parseReplyScript({ order: 'match', turns: [{ match: '/hello/g', reply: 'hi' }, { match: '/bye/gy', reply: 'ciao' }], default: 'nope' }));
  const one = script.forSession();
  for (let i = 0; i < 3; i++) assert.equal(said(await answer(one, [user('hello')])), 'hi', `turn ${i + 1}`);
  assert.equal(said(await answer(script.forSession(), [user('hello')])), 'hi', 'a new session');
  assert.equal(said(await answer(one, [user('bye')])), 'ciao');
  assert.equal(said(await answer(one, [user('bye')])), 'ciao');
});

test('a bad script is one line naming the place; YAML is refused', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ turns: 'x' }, /^turns: expected a list of turns$/],
    [{ turns: [{ match: 'a' }] }, /^turns\[0\]: a turn needs a reply$/],
    [{ turns: [{ match: '/(/', reply: 'x' }] }, /^turns\[0\]\.match: Invalid regular expression/],
    [{ turns: [{ reply: [{ speak: 'x' }] }] }, /^turns\[0\]\.reply\[0\]: expected a step/],
    [{ turns: [{ reply: { pause: 'soon' } }] }, /^turns\[0\]\.reply\.pause: expected a duration/],
    [{ turns: [], order: 'random' }, /^order: expected "sequence" or "match"/],
    [{ turns: [{ reply: 'x', when: 1 }] }, /^turns\[0\]: unknown field "when"/],
    [{ turns: [{ match: [], reply: 'x' }] }, /^turns\[0\]\.match: an empty list \(leave "match" out to match anything\)$/],
    [{ turns: [{ reply: { call: '' } }] }, /^turns\[0\]\.reply\.call: expected a name of 1-64 letters, digits, _ or -$/],
    [{ turns: [{ reply: { call: 'f', call_id: '' } }] }, /^turns\[0\]\.reply\.call_id: expected a name/],
    [{ turns: [{ reply: { call: 'f', arguments: '{not json' } }] }, /^turns\[0\]\.reply\.arguments: expected a JSON object \(or its text\)$/],
    [{ turns: [{ reply: { call: 'f', arguments: [1, 2] } }] }, /^turns\[0\]\.reply\.arguments: expected a JSON object/],
    [{ turns: [{ match: 'x', after_tool: true, reply: 'y' }] }, /^turns\[0\]: "match" and "after_tool" together/],
  ];
  for (const [script, message] of bad) assert.throws(() => parseReplyScript(script), (error: Error) => message.test(error.message), JSON.stringify(script));
  assert.throws(() => loadReplyScript('conversation.yaml'), /YAML is not supported; write the script as JSON/);
  assert.throws(() => loadReplyScript('/nonexistent/script.json'), (error: Error) => error.name === 'UsageError' && /cannot read it \(ENOENT\)/.test(error.message));
});
