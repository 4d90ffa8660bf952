/** Runs `kaiwa serve` in this process (runServe, as the CLI does) for one test, and stops it after. */
import { after } from 'node:test';
import { waitFor } from './wait-for.js';
import { runServe, type ServeOptions } from '../../src/cli/serve-command.js';
import type { RealtimeServer } from '../../src/server/realtime-server.js';
import type { SpeechParts } from '../../src/server/speech-parts.js';
import { fakeSpeech } from './server-speech.js';
import { tempDir } from './temp-dir.js';

export interface RunningServe {
  server: RealtimeServer;
  out: string[];
  err: string[];
  /** Stops the server; resolves with runServe's exit code. */
  stop(): Promise<number>;
  /** Waits for a log line (stderr) matching `pattern`. */
  logLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** `configDir`: where --tls keeps its certificate (default: a fresh temporary folder, never the user's). */
export async function serve(options: Partial<ServeOptions>, speech: SpeechParts = fakeSpeech(), configDir = tempDir()): Promise<RunningServe> {
  const out: string[] = [];
  const err: string[] = [];
  let stopNow!: () => void;
  const stopSignal = new Promise<void>((resolve) => { stopNow = resolve; });
  let listening!: (server: RealtimeServer) => void;
  let failed!: (error: unknown) => void;
  const started = new Promise<RealtimeServer>((resolve, reject) => { listening = resolve; failed = reject; });
  const exit = runServe({ host: '127.0.0.1', port: 0, engine: 'echo', ...options }, {
    out: (line) => out.push(line), err: (line) => err.push(line), stopSignal, speech, configDir, onListening: (server) => listening(server),
  });
  exit.catch(failed);
  const server = await started;
  let stopped: Promise<number> | undefined;
  const stop = (): Promise<number> => {
    stopNow();
    stopped ??= exit;
    return stopped;
  };
  after(() => stop().then(() => undefined, () => undefined));
  const logLine = (pattern: RegExp, timeoutMs = 5000): Promise<string> =>
    waitFor(() => err.find((entry) => pattern.test(entry)), { what: `log line ${pattern}`, timeoutMs, everyMs: 10 })
      .catch(() => { throw new Error(`no log line ${pattern}; got:\n${err.join('\n')}`); });
  return { server, out, err, stop, logLine };
}
