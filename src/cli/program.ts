// Only what every command needs is imported here; each command loads its own parts when it
// runs, so `kaiwa --help` and `--version` cost little more than starting Node.
import { Command, CommanderError, Option } from 'commander';
import type { ReplayOptions } from './replay-command.js';
import { numberIn } from './parse-values.js';
import { addChatOptions, type ChatOptions } from './chat-options.js';
import { applyConfigFile } from './config-file.js';
import { settleProtocol } from './protocol-choice.js';
import { KaiwaError, UsageError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';
import { printableLine } from '../terminal-text.js';
import type { ServeOptions } from './serve-command.js';
import { addTranscribeOptions, type TranscribeOptions } from './transcribe-options.js';
import { exitWhenWritten, whenOutputCloses } from './output-pipe.js';
import { useOwnText } from '../own-text.js';
import { ownTextFor } from './own-symbols.js';

// First, before any line is composed (an option's help, an argument's error): kaiwa's own
// symbols in its lines follow the locale's charset (ASCII outside UTF-8); src/own-text.ts.
useOwnText(ownTextFor(process.env));

function fail(message: string, code: number): never {
  process.stderr.write(`kaiwa: ${message}\n`);
  process.exit(code);
}

/** Every error reaches the user as one line; a stack trace only with --debug. */
function reportAndExit(error: unknown): never {
  const debug = process.argv.includes('--debug');
  if (error instanceof KaiwaError) {
    // What failed underneath, in Node's words (an errno code, OpenSSL's reason), for whoever asked for the details.
    if (debug && error.cause instanceof Error) process.stderr.write(`debug: underneath: ${causeLine(error.cause)}\n`);
    fail(error.message, error.exitCode);
  }
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) process.exit(0);
    fail(error.message.replace(/^error: /, ''), 2);
  }
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  fail(`unexpected error: ${errorMessage(error)}${debug ? '' : ' (run with --debug for details)'}`, 1);
}

function causeLine(cause: Error): string {
  const code = (cause as NodeJS.ErrnoException).code;
  const message = cause.message.split('\n')[0]!.trim();
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** Commander prints "error: …" itself before throwing; kaiwa prints its own one line instead. */
function quietErrors(command: Command): Command {
  return command
    .exitOverride()
    .configureOutput({ writeErr: (text) => { if (!text.startsWith('error:')) process.stderr.write(text); } });
}

/**
 * The first Ctrl-C (or SIGTERM, a closed terminal's SIGHUP, or the quit key) asks the
 * conversation to end cleanly: WAV complete, socket closed, SoX and helper processes
 * stopped, summary. A second one exits at once.
 */
function stopOnSignals(ending = 'ending the session'): { signal: AbortSignal; request: () => void } {
  const stopping = new AbortController();
  const request = (): void => {
    if (stopping.signal.aborted) process.exit(130);
    stopping.abort();
  };
  process.on('SIGINT', request);
  process.on('SIGTERM', request);
  process.on('SIGHUP', request);
  // No one reads what kaiwa says any more (`kaiwa … | head -1`): the session ends as after a Ctrl-C.
  whenOutputCloses([process.stdout, process.stderr], () => {
    if (stopping.signal.aborted) return;
    process.stderr.write(`kaiwa: the program reading its output has closed it; ${ending}\n`);
    stopping.abort();
  });
  return { signal: stopping.signal, request };
}

/**
 * An error no code of kaiwa's caught while a conversation runs: most often a tool's timer or
 * promise that threw after the tool had returned. Node would print a stack and exit at once,
 * leaving the WAV files and the recording empty; instead the conversation ends as after a
 * Ctrl-C (everything written, the summary printed), says why in one line and exits 1. A
 * second one, or one while ending, exits at once.
 */
const STRAY_ERROR_GRACE_MS = 10_000;

function endOnStrayErrors(stop: { request: () => void }): { readonly happened: boolean } {
  const state = { happened: false };
  const onStray = (error: unknown): void => {
    if (state.happened) reportAndExit(error);
    state.happened = true;
    const debug = process.argv.includes('--debug');
    if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.stderr.write(`kaiwa: an error outside the conversation (a tool's timer or promise?): ${printableLine(errorMessage(error))}; ending the session\n`);
    stop.request();
    // Should the error have left the conversation unable to end by itself.
    setTimeout(() => process.exit(1), STRAY_ERROR_GRACE_MS).unref();
  };
  process.off('unhandledRejection', reportAndExit);
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
  return state;
}

function buildProgram(): Command {
  const program = quietErrors(addChatOptions(new Command('kaiwa')))
    .description('Talk with realtime speech-to-speech AI from the terminal (the default), or serve the protocol locally')
    .version(VERSION)
    .enablePositionalOptions()
    .action(async (options: ChatOptions, command: Command) => {
      const extras = applyConfigFile(command, options.config);
      settleProtocol(command);
      const stop = stopOnSignals();
      const stray = endOnStrayErrors(stop);
      const { runChat } = await import('./chat-command.js');
      const code = await runChat(command.opts<ChatOptions>(), {
        stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env,
        stop: stop.signal, requestStop: stop.request,
      }, extras);
      await exitWhenWritten(stray.happened ? 1 : code);
    });
  const serve = quietErrors(new Command('serve'))
    .description('run a local Realtime-protocol server with offline speech (ws://127.0.0.1:8765/v1)')
    .action(async (options: ServeOptions) => {
      const { runServe } = await import('./serve-command.js');
      process.exit(await runServe(options));
    });
  program.addCommand(serve);
  // serve's options live beside the server they configure, so they are added (and the server
  // loaded) only once commander has chosen `serve`, before it reads serve's own arguments.
  program.hook('preSubcommand', async (_program, chosen) => {
    if (chosen !== serve) return;
    const { addServeOptions } = await import('./serve-command.js');
    addServeOptions(serve);
  });
  program.addCommand(quietErrors(addTranscribeOptions(new Command('transcribe')))
    .description('live captions: transcribe the microphone (or a WAV file) as it is spoken')
    .action(async (options: TranscribeOptions) => {
      const stop = stopOnSignals();
      const { runTranscribe } = await import('./transcribe-command.js');
      await exitWhenWritten(await runTranscribe(options, { stdout: process.stdout, stderr: process.stderr, env: process.env, stop: stop.signal }));
    }));
  program.addCommand(quietErrors(new Command('replay'))
    .description('play a --record recording with its transcript in step')
    .argument('<dir>', 'the recording directory')
    .addOption(new Option('--speed <x>', 'playback speed').default(1).argParser(numberIn(0.05, 100)))
    .addOption(new Option('--no-audio', 'transcript only'))
    .addOption(new Option('--no-speaker', 'the same as --no-audio (as kaiwa itself names it)'))
    .addOption(new Option('--json', 'print the event log (events.jsonl)').default(false))
    .action(async (dir: string, { speaker, ...options }: ReplayOptions & { speaker?: boolean }) => {
      // Its SoX player would play on after kaiwa died of a signal or of a closed output.
      const stop = stopOnSignals('stopping the replay');
      const { runReplay } = await import('./replay-command.js');
      await exitWhenWritten(await runReplay(dir, { ...options, audio: options.audio !== false && speaker !== false },
        { stdout: process.stdout, stderr: process.stderr, stop: stop.signal }));
    }));
  return program;
}

const COMMANDS = ['serve', 'transcribe', 'replay'];

/** `kaiwa transcrib` or `kaiwa hello`: say which word was not understood, and what was likely meant. */
function excessWord(program: Command, error: unknown): unknown {
  if (!(error instanceof CommanderError) || error.code !== 'commander.excessArguments') return error;
  const word = program.args[0];
  if (word === undefined) return error;
  const meant = COMMANDS.find((command) => closeTo(word, command));
  const hint = meant ? `did you mean kaiwa ${meant}?` : `to ask something, use --text ${JSON.stringify(program.args.join(' '))}; the commands are ${COMMANDS.join(', ')}`;
  return new UsageError(`unknown command or word "${word}": ${hint}`);
}

/** At most two edits apart (a typo), or one is the other's start. */
function closeTo(word: string, command: string): boolean {
  if (word.length >= 3 && command.startsWith(word)) return true;
  let previous = Array.from({ length: command.length + 1 }, (_, i) => i);
  for (let i = 1; i <= word.length; i++) {
    const row = [i];
    for (let j = 1; j <= command.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (word[i - 1] === command[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[command.length]! <= 2;
}

process.on('unhandledRejection', reportAndExit);
const program = buildProgram();
program.parseAsync(process.argv).catch((error: unknown) => reportAndExit(excessWord(program, error)));
