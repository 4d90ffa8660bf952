/**
 * `--tools FILE`: modules (.mjs, .ts with a zod schema) and JSON shell tools load into
 * Tools, and every bad file is one UsageError line naming the file and the problem.
 * Shell tools substitute arguments into argv only, refuse what could be unsafe, bound
 * their output and report failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModuleTools } from '../../src/tools/load-module-tools.js';
import { loadShellTools, parseTemplate } from '../../src/tools/load-shell-tools.js';
import { loadToolFiles } from '../../src/tools/index.js';
import { toolsForSession, checkToolNames, type Tool } from '../../src/tools/tool.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { isAlive } from '../helpers/audio-fake-sox.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ctx = (): { signal: AbortSignal; callId: string } => ({ signal: new AbortController().signal, callId: 'call_test' });

async function usageError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return error.message;
  }
  assert.fail('expected a UsageError');
}

const tmp = tempDir('kaiwa-tools-');
async function jsonFile(content: unknown): Promise<string> {
  const file = join(tmp, `tools-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

test('named exports become tools, named after the export unless they set a name; other exports are ignored', async () => {
  const tools = await loadModuleTools(fixture('named-tools.mjs'));
  assert.deepEqual(tools.map((tool) => [tool.name, tool.source, tool.needsApproval, tool.timeoutMs]), [
    ['greet', 'module', true, 1234], ['shout_loud', 'module', false, undefined],
  ]);
  assert.equal(await tools[0]!.handler({ who: 'Ann' }, ctx()), 'hello Ann');
  assert.equal(await tools[1]!.handler({ text: 'hi' }, ctx()), 'HI');
  assert.deepEqual(toolsForSession(tools), [
    { type: 'function', name: 'greet', description: 'Greets someone', parameters: { type: 'object', properties: { who: { type: 'string' } }, required: ['who'] } },
    { type: 'function', name: 'shout_loud', description: '', parameters: { type: 'object', properties: {} } },
  ]);
});

test('a .ts module loads through tsx, and its zod schema becomes the JSON schema and checks the arguments', async () => {
  const [order] = await loadModuleTools(fixture('zod-tools.ts'));
  assert.equal(order!.name, 'place_order');
  assert.deepEqual(order!.parameters, {
    type: 'object',
    properties: { item: { type: 'string' }, quantity: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 } },
    required: ['item'],
  });
  assert.deepEqual(await order!.validate!({ item: 'tea' }), { value: { item: 'tea', quantity: 1 } });
  const invalid = await order!.validate!({ item: 'tea', quantity: 0 });
  assert.ok('error' in invalid && /^invalid arguments: quantity: /.test(invalid.error), JSON.stringify(invalid));
});

test('the examples load: weather-tools.mjs and shell-tools.json', async () => {
  const tools = await loadToolFiles([fileURLToPath(new URL('../../examples/weather-tools.mjs', import.meta.url)), fileURLToPath(new URL('../../examples/shell-tools.json', import.meta.url))]);
  assert.deepEqual(tools.map((tool) => `${tool.source}:${tool.name}`), ['module:get_weather', 'module:get_time', 'shell:disk_free', 'shell:uptime', 'shell:count_lines']);
  checkToolNames(tools);
  const weather = await tools[0]!.handler({ city: 'Tokyo', unit: 'fahrenheit' }, ctx()) as Record<string, unknown>;
  assert.equal(weather.temperature_f, 64);
  assert.match(String(await tools[2]!.handler({ path: '.' }, ctx())), /^Filesystem/);
});

test('a bad tools module is one line naming the file and the problem', async () => {
  const cases: Array<[string, RegExp]> = [
    ['bad-no-handler.mjs', /bad-no-handler\.mjs: default export \[0\]: \(lonely\) handler must be a function$/],
    ['bad-syntax.mjs', /bad-syntax\.mjs: the module failed to load: .+/],
    ['bad-name.mjs', /bad-name\.mjs: default export \[0\]: name "has spaces" must be 1-64 letters, digits, _ or -$/],
    ['bad-schema.mjs', /bad-schema\.mjs: default export \[0\]: \(listy\) parameters must be a JSON schema with "type": "object" at its root$/],
    ['no-tools.mjs', /no-tools\.mjs: exports no tools/],
    ['missing.mjs', /missing\.mjs: cannot read the tools module \(no such file or directory\)$/],
    ['mcp-server.txt', /mcp-server\.txt: tools modules end in \.js, \.mjs or \.ts/],
  ];
  for (const [file, pattern] of cases) assert.match(await usageError(loadModuleTools(fixture(file))), pattern);
});

test('two tools with one name are refused wherever they come from', async () => {
  const tools = await loadModuleTools(fixture('named-tools.mjs'));
  assert.throws(() => checkToolNames([...tools, { ...tools[0]!, file: 'other.mjs' } as Tool]), /two tools are named greet \(.*named-tools\.mjs and other\.mjs\); rename one/);
});

test('bad shell tool files are one line naming the file, the tool and the problem', async () => {
  const base = { name: 'echo_it', description: 'x', command: ['echo', '{word}'], parameters: { type: 'object', properties: { word: { type: 'string' } } } };
  const cases: Array<[unknown, RegExp]> = [
    ['{"tools": [', /: not valid JSON \(/],
    [{ tools: [] }, /: expected \{"tools": \[/],
    [{ tools: [{ ...base, command: 'echo {word}' }] }, /tool echo_it: command must be a non-empty array of strings/],
    [{ tools: [{ ...base, command: ['{word}', 'x'] }] }, /tool echo_it: the program \(command\[0\]\) cannot come from an argument/],
    [{ tools: [{ ...base, command: ['echo', '{other}'] }] }, /tool echo_it: \{other\} in command is not in parameters\.properties/],
    [{ tools: [{ ...base, command: ['echo'] }] }, /tool echo_it: parameter word is not used in command/],
    [{ tools: [{ ...base, shell: true }] }, /tool echo_it: unknown field "shell"/],
    [{ tools: [{ ...base, name: 'bad name' }] }, /tool bad name: name must be 1-64 letters/],
    [{ tools: [base, base] }, /two tools are named echo_it/],
  ];
  for (const [content, pattern] of cases) assert.match(await usageError(loadShellTools(await jsonFile(content))), pattern);
});

test('shell arguments: substituted into argv elements only; missing, extra, non-scalar, option-like and off-enum values are refused', async () => {
  const printArgv = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', '--'];
  const [tool] = await loadShellTools(await jsonFile({
    tools: [{
      name: 'argv', description: 'prints argv', needsApproval: false,
      parameters: {
        type: 'object',
        properties: { path: { type: 'string' }, lines: { type: 'integer' }, mode: { type: 'string', enum: ['fast', 'slow'] }, note: { type: 'string' } },
        required: ['path'],
      },
      command: [...printArgv, '{path}', '--lines={lines}', '{mode}', 'braces {{kept}}', 'note:{note}'],
    }],
  }));
  assert.equal(tool!.needsApproval, false);
  const run = (args: Record<string, unknown>): Promise<unknown> => Promise.resolve(tool!.handler(args, ctx()));
  assert.equal(await run({ path: 'a b; $(rm -rf ~)', lines: 3, mode: 'fast', note: '' }), '["a b; $(rm -rf ~)","--lines=3","fast","braces {kept}","note:"]');
  assert.equal(await run({ path: 'x' }), '["x","braces {kept}"]', 'optional arguments left out drop their elements');
  await assert.rejects(run({}), /^Error: missing required argument path$/);
  await assert.rejects(run({ path: 'x', extra: 1 }), /^Error: unexpected argument extra$/);
  await assert.rejects(run({ path: ['x'] }), /^Error: argument path must be a string, number or boolean$/);
  await assert.rejects(run({ path: 'x', lines: 'ten' }), /^Error: argument lines must be an integer$/);
  await assert.rejects(run({ path: 'x', mode: 'reckless' }), /^Error: argument mode must be one of "fast", "slow"$/);
  assert.equal(await run({ path: '--delete' }), '["--delete","braces {kept}"]', 'after a "--" element a dash is only text');
  const [echo] = await loadShellTools(await jsonFile({ tools: [{ name: 'echo_word', command: ['echo', '{word}', 'x{word}'] }] }));
  await assert.rejects(Promise.resolve(echo!.handler({ word: '-n' }, ctx())), /^Error: argument word may not start with "-" \(it would be read as an option\)$/);
  assert.equal(await echo!.handler({ word: 'n-' }, ctx()), 'n- xn-\n');
  assert.deepEqual(parseTemplate('--x={a}{b}'), [{ text: '--x=' }, { param: 'a' }, { param: 'b' }]);
  assert.deepEqual(parseTemplate('{not a placeholder}'), [{ text: '{not a placeholder}' }]);
});

test('shell results: a non-zero exit is an error with stderr, output is cut at maxOutputBytes, an abort stops the program', async () => {
  const node = process.execPath;
  const sleepyPid = join(tmp, 'sleepy.pid');
  const [failing, chatty, sleepy, missing] = await loadShellTools(await jsonFile({
    tools: [
      { name: 'failing', needsApproval: false, command: [node, '-e', 'console.error("disk on fire"); process.exit(4)'] },
      { name: 'chatty', maxOutputBytes: 10, command: [node, '-e', 'setInterval(() => process.stdout.write("0123456789"), 5)'] },
      // Never ends by itself and says when it runs: only the abort can end it.
      { name: 'sleepy', command: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(sleepyPid)}, String(process.pid)); setInterval(() => {}, 1000)`] },
      { name: 'missing', command: ['kaiwa-no-such-program'] },
    ],
  }));
  assert.equal(sleepy!.needsApproval, true, 'shell tools ask first by default');
  await assert.rejects(Promise.resolve(failing!.handler({}, ctx())), new RegExp(`^Error: ${node.replace(/[/.]/g, '\\$&')} exited with code 4: disk on fire$`));
  assert.equal(await chatty!.handler({}, ctx()), '0123456789\n[output truncated at 10 bytes]');
  const controller = new AbortController();
  const pending = Promise.resolve(sleepy!.handler({}, { signal: controller.signal, callId: 'c' }));
  await waitFor(() => existsSync(sleepyPid) && readFileSync(sleepyPid, 'utf8'), { what: 'the sleepy program to run' });
  controller.abort();
  await assert.rejects(pending, /was stopped$/);
  const pid = Number(readFileSync(sleepyPid, 'utf8'));
  await waitFor(() => !isAlive(pid), { what: `the aborted program (pid ${pid}) to be gone` });
  await assert.rejects(Promise.resolve(missing!.handler({}, ctx())), /^Error: command not found: kaiwa-no-such-program$/);
});
