import { describeFileError } from '../file-errors.js';
/**
 * `kaiwa serve`: flags, engine choice, start-up line and clean shutdown. The CLI adds the
 * options with `addServeOptions` and calls `runServe`, which resolves with the exit code
 * once a SIGTERM/SIGINT/SIGHUP has closed every session (code 1001).
 */
import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { Command, InvalidArgumentError, Option } from 'commander';
import { RedactingLogger } from '../logger.js';
import { KaiwaError, UsageError } from '../errors.js';
import { nonEmpty, numberIn } from './parse-values.js';
import type { ReplyEngine } from '../server/engines/reply-engine.js';
import { EchoEngine } from '../server/engines/echo-engine.js';
import { OpenAIChatEngine } from '../server/engines/openai-chat-engine.js';
import { ScriptEngine } from '../server/engines/script-engine.js';
import { loadReplyScript } from '../server/engines/scripted-turns.js';
import { startRealtimeServer, type RealtimeServer } from '../server/realtime-server.js';
import { NO_SPEECH, loadSpeechParts, type SpeechParts } from '../server/speech-parts.js';
import { ReplaySource } from '../server/replay/replay-source.js';
import { parseIgnoredFields, type IgnoredField } from '../server/replay/ignored-fields.js';
import { checkIgnoredFields } from '../server/replay/ignore-check.js';
import type { TlsMaterial } from '../server/tls-certificate.js';
import { storedCertificate } from '../server/tls-store.js';
import { kaiwaConfigDir } from './config-file.js';
import { FaultInjector } from '../testing/fault-injector.js';
import { armFaults, describeFaults, parseFaultSpec } from '../testing/fault-spec.js';
import type { FaultReport } from '../testing/fault-rules.js';
import { MistakeLedger } from '../server/strict/client-mistakes.js';
import { CassetteRecorder } from '../server/cassette/session-cassette.js';
import type { ReplayStats } from '../server/replay/replay-session.js';

export type EngineName = 'echo' | 'openai-chat';

export interface ServeOptions {
  host: string;
  port: number;
  tlsCert?: string;
  tlsKey?: string;
  /** Serve wss: with kaiwa serve's own self-signed certificate (kept in the config folder). */
  tls?: boolean;
  token?: string;
  engine: EngineName;
  engineUrl?: string;
  engineModel?: string;
  engineKey?: string;
  maxSessions?: number;
  /** Sessions end after this long, as the service's do after 60 minutes. */
  sessionMinutes?: number;
  debug?: boolean;
  /** Replay the server side of this `--record` directory instead of answering. */
  replay?: string;
  /** With --replay: fields of the client's events not compared (`item.output`, `conversation.item.create:item.output`). */
  replayIgnore?: string[];
  /** Record each session (both sides' events, audio, transcript) into DIR/session-N. */
  record?: string;
  /** Answer from this script file (JSON) instead of --engine. */
  script?: string;
  /** Report the client's protocol mistakes (error events, one summary line per connection). */
  strict?: boolean;
  /** With --strict: exit 1 at shutdown if any client made a protocol mistake. */
  failOnMistakes?: boolean;
  /** Faults to inject, e.g. `drop-after-events=20,delay=50ms` (see src/testing/fault-spec.ts). */
  faults?: string;
}

export interface ServeIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when the server should stop (default: the first SIGTERM, SIGINT or SIGHUP). */
  stopSignal?: Promise<void>;
  /** Speech parts; by default the ones installed on this machine. */
  speech?: SpeechParts;
  /** Where --tls keeps its certificate (default: the config folder, $XDG_CONFIG_HOME/kaiwa). */
  configDir?: string;
  /** Called once listening (tests read the URL from here). */
  onListening?: (server: RealtimeServer) => void;
}

export function serveCommandOptions(): Option[] {
  return [
    new Option('--host <address>', 'address to listen on (anything but loopback needs --token)').default('127.0.0.1').argParser(nonEmpty),
    new Option('--port <n>', 'port to listen on (0 = any free port)').default(8765).argParser(numberIn(0, 65535, true)),
    new Option('--tls-cert <file>', 'serve wss: with this PEM certificate (with --tls-key)').argParser(nonEmpty),
    new Option('--tls-key <file>', 'PEM private key for --tls-cert').argParser(nonEmpty),
    new Option('--tls', 'serve wss: with kaiwa serve\'s own certificate, made once and kept in the config folder; prints how to trust it').conflicts(['tlsCert', 'tlsKey']),
    new Option('--token <secret>', 'require this API key from clients (or set KAIWA_SERVE_TOKEN)').env('KAIWA_SERVE_TOKEN').argParser(nonEmpty),
    new Option('--engine <name>', 'who writes the replies: echo (offline, repeats what it understood) or openai-chat').choices(['echo', 'openai-chat']).default('echo'),
    new Option('--engine-url <url>', 'OpenAI-compatible Chat Completions base URL for --engine openai-chat (e.g. http://127.0.0.1:8080/v1)').argParser(nonEmpty),
    new Option('--engine-model <name>', 'model name sent to the Chat Completions endpoint').argParser(nonEmpty),
    new Option('--engine-key <key>', 'API key for the Chat Completions endpoint (or set KAIWA_ENGINE_KEY)').env('KAIWA_ENGINE_KEY').argParser(nonEmpty),
    new Option('--max-sessions <n>', 'sessions served at once').default(100).argParser(numberIn(1, 10_000, true)),
    new Option('--session-minutes <m>', 'end each session after this long, like the service (60); shorter to test renewal').default(60).argParser(numberIn(0.01, 24 * 60)),
    new Option('--debug', 'log each session to stderr').default(false),
    new Option('--script <file>', 'answer from a script (JSON): turns matched on the user\'s words, replying with text, a function call, an error or a pause').argParser(nonEmpty).conflicts(['replay']),
    new Option('--strict', 'report client protocol mistakes as error events naming the event_id, and one summary line per connection'),
    new Option('--fail-on-mistakes', 'with --strict (implied): exit 1 at shutdown if any client made a protocol mistake, strayed from the --replay cassette or left part of it unused (for CI)'),
    new Option('--faults <spec>', 'inject faults, comma-separated: drop-after-events=N, drop-after=2s, drop-mid-response, expire-after=30s, refuse=429[*N], delay=50ms, jitter=20ms, rate-limit-error[=N], silence-after-events=N, malformed-event=N').argParser(nonEmpty),
    new Option('--replay <dir>', 'answer every connection with the server side of a --record DIR recording (events.jsonl, audio from conversation.wav), checking that the client sends what was recorded').argParser(nonEmpty),
    new Option('--replay-ignore <paths>', 'with --replay: fields of the client\'s events not compared, comma-separated or repeated: item.output, session.instructions, item.content[*].text, conversation.item.create:item.output, or into a JSON string: item.output.iso; a key that is no identifier quoted: item.output["utc-offset"]; each must match a field of the cassette').argParser(ignoredFieldsFlag),
    new Option('--record <dir>', 'record each session (both sides\' events, conversation.wav, transcript.md) into DIR/session-N, a cassette for --replay').argParser(nonEmpty).conflicts(['replay']),
  ];
}

export function addServeOptions(command: Command): Command {
  for (const option of serveCommandOptions()) command.addOption(option);
  return command;
}

/** Starts the server, prints where it listens, and resolves with 0 after a clean shutdown. */
export async function runServe(options: ServeOptions, io: ServeIo = defaultIo()): Promise<number> {
  // Listened for from the start: a signal while the speech parts load still stops it cleanly.
  const stopped = io.stopSignal ?? firstSignal();
  let stopping = false;
  void stopped.then(() => { stopping = true; });
  const logger = new RedactingLogger((line) => io.err(line.replace(/\n$/, '')), options.debug ? 'debug' : 'warn');
  logger.addSecret(options.token);
  logger.addSecret(options.engineKey);
  const engine = createEngine(options);
  const faultSpec = options.faults === undefined ? undefined : parseFaultSpec(options.faults);
  const faults = faultSpec ? new FaultInjector() : undefined;
  if (faults && faultSpec) {
    armFaults(faults, faultSpec);
    faults.on('fault', (report) => io.err(faultLine(report)));
  }
  const strict = options.strict || options.failOnMistakes ? new MistakeLedger((line) => io.err(line)) : undefined;
  let replayProblems = 0;
  let replayed = 0;
  const onReplayEnd = (stats: ReplayStats): void => {
    replayed += 1;
    if (stats.firstDifference !== undefined || stats.unreached.length > 0) replayProblems += 1;
    io.err(replayLine(stats));
  };
  if (options.replayIgnore && !options.replay) throw new UsageError('--replay-ignore needs --replay DIR (it names fields a replay does not compare)');
  const ignore = ignoredFieldsOf(options.replayIgnore ?? []);
  const replay = options.replay ? ReplaySource.load(options.replay, { onEnd: onReplayEnd, ignore }) : undefined;
  if (replay) {
    try {
      checkIgnoredFields(ignore, replay.clientEvents);
    } catch (error) {
      replay.close();
      throw new UsageError(`--replay-ignore: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const warning of replay?.warnings ?? []) io.err(warning);
  const record = options.record ? new CassetteRecorder(options.record, (error) => io.err(error.message)) : undefined;
  // Made before listening (a folder that cannot be used is refused); not left behind empty by a start that fails after it.
  const tls = await tlsOf(options, io).catch((error: unknown) => {
    record?.removeUnusedFolders();
    throw error;
  });
  // Listening comes first: the speech parts take seconds to load, and a client that connects
  // meanwhile (an app's tests started right after `kaiwa serve &`) is held, not refused.
  const speechLoading = replay ? Promise.resolve(NO_SPEECH) : io.speech ? Promise.resolve(io.speech) : loadSpeechParts((message) => logger.log('warn', message));
  const server = await startRealtimeServer({
    host: options.host, port: options.port, tls, token: options.token, engine, speech: speechLoading, logger,
    maxSessions: options.maxSessions ?? 100, limits: { lifetimeSeconds: (options.sessionMinutes ?? 60) * 60 }, ...(replay ? { createSession: replay.createSession } : {}),
    ...(faults ? { connectionHook: faults } : {}),
    ...(strict ? { strict } : {}),
    ...(record ? { record } : {}),
  }).catch(async (error: unknown) => {
    (await speechLoading).close?.();
    record?.removeUnusedFolders();
    throw error;
  });
  const speech = await speechLoading;
  const described = replay ? replay.describe() : describe(options, engine, speech);
  const extras = [record ? `recording each session into ${record.dir}/session-N` : '', ignore.length > 0 ? `not comparing ${ignore.map((field) => field.spec).join(', ')}` : '', faultSpec ? describeFaults(faultSpec) : '', strict ? `strict${options.failOnMistakes ? ', failing on mistakes' : ''}` : ''].filter(Boolean);
  if (!stopping) io.out(`kaiwa serve listening on ${server.url} (${described}${extras.map((extra) => `; ${extra}`).join('')})`);
  io.onListening?.(server);
  await stopped;
  await server.close();
  speech.close?.();
  replay?.close();
  await record?.flushed();
  record?.removeUnusedFolders();
  // Replayed sessions are held to the cassette, not to the protocol checks of a live session.
  // A cassette session no connection reached is a part of the recorded run the app never did.
  const unused = replay?.unused ?? [];
  if (replay) io.err(replaySummary(replayed, replayProblems, unused));
  else if (strict) io.err(strict.describe());
  const failed = (strict?.total ?? 0) + replayProblems + unused.length > 0;
  return options.failOnMistakes && failed ? 1 : 0;
}

function createEngine(options: ServeOptions): ReplyEngine {
  if (options.script) return new ScriptEngine(loadReplyScript(options.script));
  if (options.engine === 'echo') return new EchoEngine();
  if (!options.engineUrl) throw new UsageError('--engine openai-chat needs --engine-url URL (an OpenAI-compatible Chat Completions endpoint)');
  const engine: { url: string; model?: string; apiKey?: string } = { url: options.engineUrl };
  if (options.engineModel) engine.model = options.engineModel;
  if (options.engineKey) engine.apiKey = options.engineKey;
  return new OpenAIChatEngine(engine);
}

async function tlsOf(options: ServeOptions, io: ServeIo): Promise<TlsMaterial | 'self-signed' | undefined> {
  if (options.tls) {
    const dir = io.configDir ?? kaiwaConfigDir();
    let stored: Awaited<ReturnType<typeof storedCertificate>>;
    try {
      stored = await storedCertificate(dir, options.host);
    } catch (error) {
      throw new KaiwaError(`cannot keep the TLS certificate in ${dir}: ${describeFileError(error)}`);
    }
    io.err(`${stored.created ? 'made a certificate' : 'using the certificate'} in ${stored.certPath}; to trust it: NODE_EXTRA_CA_CERTS=${stored.certPath}`);
    return stored;
  }
  if (!options.tlsCert && !options.tlsKey) return undefined;
  if (!options.tlsCert || !options.tlsKey) throw new UsageError('--tls-cert and --tls-key go together');
  try {
    return { cert: await readFile(options.tlsCert, 'utf8'), key: await readFile(options.tlsKey, 'utf8') };
  } catch (error) {
    throw new UsageError(`cannot read the TLS certificate or key: ${describeFileError(error)}`);
  }
}

function describe(options: ServeOptions, engine: ReplyEngine, speech: SpeechParts): string {
  const parts = [`engine: ${engine.name}${engine instanceof OpenAIChatEngine ? ` ${engine.model}` : ''}${engine instanceof ScriptEngine ? ` ${options.script} (${engine.script.turns.length} turns, ${engine.script.order})` : ''}`];
  parts.push(`turn detection: ${speech.createDetector ? 'on' : 'unavailable'}`);
  const transcriber = speech.transcriber?.model;
  parts.push(`transcription: ${transcriber ? `${transcriber}${speech.recognizer ? ' (streaming)' : ' (after each turn)'}` : 'unavailable'}`);
  parts.push(`voice: ${speech.synthesizer ? 'on' : 'unavailable'}`);
  if (options.token) parts.push('token required');
  if (options.tls) parts.push('TLS with kaiwa serve\'s own certificate');
  return parts.join(', ');
}

function replaySummary(replayed: number, strayed: number, unused: readonly string[]): string {
  const line = `replay: ${replayed} session${replayed === 1 ? '' : 's'}, ${strayed} strayed from the cassette`;
  return unused.length === 0 ? line : `${line}; never used: ${unused.join(', ')}`;
}

function replayLine(stats: ReplayStats): string {
  const total = stats.matched + stats.stepsLeft;
  const asRecorded = stats.firstDifference === undefined && stats.unreached.length === 0;
  const parts = [`replay: session ${stats.id}: ${asRecorded ? `all ${total} steps as recorded` : `${stats.matched} of ${total} steps reached`}`];
  if (stats.firstDifference !== undefined) parts.push(`first difference: ${stats.firstDifference}`);
  if (stats.unreached.length > 0) parts.push(`never reached: ${stats.unreached.join(', ')}`);
  if (stats.ignored.length > 0) parts.push(`ignored differences: ${stats.ignored.map(({ path, steps }) => `${path} (${steps} step${steps === 1 ? '' : 's'})`).join(', ')}`);
  return parts.join('; ');
}

function ignoredFieldsOf(values: readonly string[]): IgnoredField[] {
  try {
    return parseIgnoredFields(values);
  } catch (error) {
    throw new UsageError(`--replay-ignore: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `--replay-ignore` as commander collects it: every value given, each checked as it comes. */
function ignoredFieldsFlag(value: string, previous: string[] | undefined): string[] {
  try {
    parseIgnoredFields([value]);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  return [...(previous ?? []), value];
}

function faultLine(report: FaultReport): string {
  const session = report.sessionId || '(opening)';
  switch (report.action) {
    case 'refuse': {
      // A refused upgrade never became a session: the line says what the client was answered.
      const reason = STATUS_CODES[report.status ?? 0];
      return `fault: refused a connection with ${report.status}${reason ? ` ${reason}` : ''} at its upgrade`;
    }
    case 'silence': return `fault: session ${session} falls silent at server event ${report.trigger} (it and all after it withheld)`;
    case 'malform': return `fault: sent server event ${report.trigger} of session ${session} cut off (not JSON)`;
  }
  const what = report.action === 'rate-limit' ? 'rate-limited a response' : report.action === 'drop' ? 'dropped the connection' : 'expired the session';
  const when = report.direction === 'timer' ? 'on its timer' : report.direction === 'manual' ? '' : `at ${report.direction} event ${report.trigger}`;
  return `fault: ${what} of session ${session}${when ? ` ${when}` : ''}`;
}

function firstSignal(): Promise<void> {
  return new Promise((resolve) => {
    // A closed terminal (SIGHUP) stops it as cleanly as Ctrl-C: its recognizers and temp files go too.
    const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
    const stop = () => {
      for (const signal of signals) process.off(signal, stop);
      resolve();
    };
    for (const signal of signals) process.on(signal, stop);
  });
}

function defaultIo(): ServeIo {
  return { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
}

