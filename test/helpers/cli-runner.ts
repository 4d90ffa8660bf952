import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { processTempDir } from './temp-dir.js';
import { waitForEvent, type WaitOptions } from './wait-for.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const KAIWA_BIN = join(ROOT, 'dist', 'cli', 'main.cjs');

/** An empty config home shared by every run of this test process (kaiwa only reads it). */
const emptyConfigHome = processTempDir('kaiwa-config-');
/**
 * A runtime dir for runs that have none (no private PulseAudio set one): without it the
 * sound libraries behind SoX make a runtime dir of their own in the temp folder and leave it.
 */
const emptyRuntimeDir = processTempDir('kaiwa-runtime-');
/** The code cache of every run of this test process (src/cli/code-cache.ts): not the developer's ~/.cache. */
export const cacheHome = processTempDir('kaiwa-cache-');

export interface KaiwaResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOutput {
  stdout: () => string;
  stderr: () => string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Text (or bytes) written to stdin, which is then closed (default: closed at once). */
  stdin?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
  /** Keep stdin open (the test drives the process with signals instead). */
  keepStdinOpen?: boolean;
  onSpawn?: (child: ChildProcessWithoutNullStreams, output: RunOutput) => void;
}

/** An environment with no OpenAI settings leaking in from the developer's shell. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AZURE_OPENAI_API_KEY']) delete env[key];
  // A config home of its own: no developer's ~/.config/kaiwa leaks in, and nothing is written into the repo.
  env.XDG_CONFIG_HOME = emptyConfigHome();
  env.XDG_RUNTIME_DIR ??= emptyRuntimeDir();
  env.XDG_CACHE_HOME = cacheHome();
  // kaiwa's own symbols follow the locale (ASCII in the C locale): none set, the tests' expectations would depend on the machine.
  if (!env.LC_ALL && !env.LC_CTYPE && !env.LANG) env.LANG = 'C.UTF-8';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs the built `kaiwa` binary as a user would, collecting its output. */
export function runKaiwa(args: string[], options: RunOptions = {}): Promise<KaiwaResult> {
  const child = spawn(process.execPath, [KAIWA_BIN, ...args], {
    env: cleanEnv(options.env), cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  if (!options.keepStdinOpen) child.stdin.end(options.stdin ?? '');
  options.onSpawn?.(child, { stdout: () => stdout, stderr: () => stderr });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function assertNoStackTrace(text: string): void {
  if (/\n\s+at .+[:(]/.test(text)) throw new Error(`output has a stack trace:\n${text}`);
}

/** An errno code as a word (ENOENT, EACCES…); a temp folder's random name ("…-RCEULR") is not one. */
const ERRNO_CODE = new RegExp(`\\b(${Object.keys(constants.errno).join('|')})\\b`);

/** kaiwa refused before it ran: exit 2, one line on stderr that matches `line` (no stack trace, no errno code), nothing on stdout. */
export function assertRefusedInOneLine(result: Pick<KaiwaResult, 'code' | 'stdout' | 'stderr'>, line: RegExp): void {
  assertNoStackTrace(result.stderr);
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(lines[0]!, line);
  assert.doesNotMatch(result.stderr, ERRNO_CODE, 'no errno code');
  assert.equal(result.stdout, '', 'nothing ran');
}

/**
 * Resolves once what the child wrote to `stream` so far satisfies `check` (looked at now and
 * at each new chunk); rejects after the deadline. Use inside onSpawn with its `output`.
 */
export async function untilOutput(child: ChildProcessWithoutNullStreams, output: RunOutput, stream: 'stdout' | 'stderr',
  check: (text: string) => boolean, options: WaitOptions): Promise<void> {
  if (check(output[stream]())) return;
  await waitForEvent(child[stream], 'data', { ...options, match: () => check(output[stream]()) });
}

/**
 * kaiwa with its stdout and stderr written to files, as a shell's redirections do: the same file
 * for both (`> log 2>&1`) when `stderr` is `stdout`'s path. Resolves the exit code and what each file holds.
 */
export async function runKaiwaIntoFiles(args: string[], files: { stdout: string; stderr: string }, options: { env?: Record<string, string>; stdin?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const shared = files.stdout === files.stderr;
  const out = openSync(files.stdout, 'w');
  const err = shared ? out : openSync(files.stderr, 'w');
  try {
    const child = spawn(process.execPath, [KAIWA_BIN, ...args], { env: cleanEnv(options.env), cwd: ROOT, stdio: ['pipe', out, err] });
    child.stdin!.end(options.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => { clearTimeout(timer); resolve(exitCode); }));
    return { code, stdout: readFileSync(files.stdout, 'utf8'), stderr: readFileSync(files.stderr, 'utf8') };
  } finally {
    closeSync(out);
    if (!shared) closeSync(err);
  }
}
