/**
 * `--mcp "COMMAND ARGS"` splitting (quotes, escapes, NAME=value, no shell operators) and
 * the names MCP tools get: `<server>__<tool>` within the API's charset and 64 characters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCommandLine } from '../../src/tools/command-line.js';
import { exposedToolName, mcpCommandSpec, mcpUrlSpec, sanitizeLabel, serverLabel } from '../../src/tools/mcp-tools.js';
import { TOOL_NAME_PATTERN } from '../../src/tools/tool.js';
import { UsageError } from '../../src/errors.js';

test('a command line splits like a shell would split words, without expanding anything', () => {
  assert.deepEqual(splitCommandLine('npx -y @modelcontextprotocol/server-filesystem /tmp'), {
    command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: {},
  });
  assert.deepEqual(splitCommandLine(`node "my server.js" 'it''s' a\\ b "say \\"hi\\" \\$HOME" $HOME ~ *.js`), {
    command: 'node', args: ['my server.js', 'its', 'a b', 'say "hi" $HOME', '$HOME', '~', '*.js'], env: {},
  });
  assert.deepEqual(splitCommandLine('API_KEY=abc DEBUG= uvx mcp-server-time --local-timezone=Asia/Tokyo'), {
    command: 'uvx', args: ['mcp-server-time', '--local-timezone=Asia/Tokyo'], env: { API_KEY: 'abc', DEBUG: '' },
  });
  assert.deepEqual(splitCommandLine('"A=1" run').command, 'A=1', 'a quoted word is never an assignment');
  assert.deepEqual(splitCommandLine('server "" x').args, ['', 'x'], 'empty quotes are an empty argument');
});

test('unbalanced quotes, shell operators and empty commands are UsageErrors', () => {
  const cases: Array<[string, RegExp]> = [
    ['node "server.js', /--mcp: unterminated " quote/],
    ["node 'server.js", /--mcp: unterminated ' quote/],
    ['node server.js | tee log', /--mcp: "\|" is a shell operator, but no shell runs the command/],
    ['node server.js > log', /"\>" is a shell operator/],
    ['node $(which server)', /"\$\(" is a shell operator/],
    ['node a; rm -rf /', /";" is a shell operator/],
    ['   ', /--mcp needs a command/],
    ['FOO=1', /--mcp needs a command/],
  ];
  for (const [line, pattern] of cases) assert.throws(() => splitCommandLine(line), (error: unknown) => error instanceof UsageError && pattern.test(error.message), line);
  assert.deepEqual(splitCommandLine('node server.js "a | b" \\;').args, ['server.js', 'a | b', ';'], 'quoted operators are plain text');
});

test('a server is labelled by its program, or by the package or script a launcher runs, or by the URL host', () => {
  const cases: Array<[string, string]> = [
    ['npx -y @modelcontextprotocol/server-filesystem /tmp', 'server-filesystem'],
    ['npx -y @modelcontextprotocol/server-everything@2025.1.1', 'server-everything'],
    ['uvx mcp-server-time', 'mcp-server-time'],
    ['python -m mcp_server_fetch', 'mcp_server_fetch'],
    ['node --import tsx ./servers/notes.ts', 'notes'],
    ['docker run -i --rm mcp/github', 'github'],
    ['/usr/local/bin/weather-mcp --port 0', 'weather-mcp'],
    ['npx', 'npx'],
  ];
  for (const [line, label] of cases) assert.equal(serverLabel(mcpCommandSpec(line)), label, line);
  assert.equal(serverLabel(mcpCommandSpec('npx -y pkg', 'mine')), 'mine');
  assert.equal(serverLabel(mcpUrlSpec('https://www.example.com/mcp')), 'example.com');
  assert.equal(sanitizeLabel('example.com'), 'example_com');
  assert.equal(sanitizeLabel('@@@'), 'mcp');
  assert.throws(() => mcpUrlSpec('ftp://example.com'), /--mcp-url must start with http:\/\/ or https:\/\//);
  assert.throws(() => mcpUrlSpec('not a url'), /--mcp-url is not a valid URL/);
});

test('exposed tool names keep to ^[a-zA-Z0-9_-]{1,64}$ and stay distinct when they have to be cut', () => {
  assert.equal(exposedToolName('files', 'read_file'), 'files__read_file');
  assert.equal(exposedToolName('files', 'read.file v2'), `files__read_file_v2_${exposedToolName('files', 'read.file v2').slice(-6)}`);
  const long1 = exposedToolName('a-rather-long-server-label-xx', 'an_extremely_long_tool_name_that_goes_on_and_on_1');
  const long2 = exposedToolName('a-rather-long-server-label-xx', 'an_extremely_long_tool_name_that_goes_on_and_on_2');
  for (const name of [long1, long2, exposedToolName('s', 'ツール')]) assert.match(name, TOOL_NAME_PATTERN);
  assert.equal(long1.length, 64);
  assert.notEqual(long1, long2);
  assert.notEqual(exposedToolName('s', 'a.b'), exposedToolName('s', 'a_b'), 'sanitizing never merges two tools');
});
