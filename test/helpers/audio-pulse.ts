import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private PulseAudio server for tests: two null sinks, "spk" (default sink: what
 * players play ends up on spk.monitor) and "mic" (its monitor is the default source:
 * what is played into "mic" is what recorders hear). It runs in its own temp
 * XDG_RUNTIME_DIR, so it never touches a desktop's sound server.
 *
 * Started in the foreground (not -D) so the test owns the process and can always kill
 * it, with a parent-death signal so it also dies with a test process that was killed. While it runs, process.env points PULSE_SERVER and XDG_RUNTIME_DIR at it, so
 * every child (SoX, paplay, parecord) finds it; stop() restores the environment.
 */
export interface PulseServer {
  readonly server: string;
  readonly runtimeDir: string;
  pactl(...args: string[]): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

export async function startPulse(): Promise<PulseServer> {
  requireTool('pulseaudio', 'pulseaudio');
  requireTool('pactl', 'pulseaudio-utils');
  const root = mkdtempSync(join(tmpdir(), 'kaiwa-pulse-'));
  const runtimeDir = join(root, 'runtime');
  const home = join(root, 'home');
  mkdirSync(runtimeDir, { mode: 0o700 });
  mkdirSync(home);
  const socket = join(runtimeDir, 'native');
  const server = `unix:${socket}`;
  // setpriv (util-linux) makes the kernel kill the daemon when this process dies, even by
  // SIGKILL, when no exit handler runs: a killed test run leaves no sound server behind.
  const daemon = spawn('setpriv', [
    '--pdeathsig', 'KILL', 'pulseaudio',
    '--daemonize=no', '--exit-idle-time=-1', '-n', '--use-pid-file=no', '--log-target=stderr',
    // Anonymous auth: clients need no cookie from this throw-away HOME.
    `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
    '--load=module-null-sink sink_name=spk',
    '--load=module-null-sink sink_name=mic',
  ], { env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir, HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  const helpers: ChildProcess[] = [daemon];
  const killOnExit = (): void => helpers.forEach((child) => child.kill('SIGKILL'));
  process.on('exit', killOnExit);
  let log = '';
  daemon.stderr?.setEncoding('utf8');
  daemon.stderr?.on('data', (text: string) => (log = (log + text).slice(-4000)));

  const previous = { PULSE_SERVER: process.env['PULSE_SERVER'], XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] };
  const pactl = (...args: string[]): string => {
    const result = spawnSync('pactl', args, { env: { ...process.env, PULSE_SERVER: server }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`pactl ${args.join(' ')} failed: ${result.stderr.trim()}`);
    return result.stdout;
  };
  await waitUntilReady(daemon, pactl, () => log);
  pactl('set-default-sink', 'spk');
  pactl('set-default-source', 'mic.monitor');
  const keepAlives = await Promise.all(['spk.monitor', 'mic.monitor'].map((source) => keepSinkResponsive(source, server)));
  helpers.push(...keepAlives);
  process.env['PULSE_SERVER'] = server;
  process.env['XDG_RUNTIME_DIR'] = runtimeDir;

  return {
    server,
    runtimeDir,
    pactl,
    async stop() {
      restoreEnv(previous);
      process.off('exit', killOnExit);
      await Promise.all(keepAlives.map(stopProcess));
      await stopProcess(daemon);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function requireTool(command: string, debianPackage: string): void {
  const probe = spawnSync(command, ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    // Fail, don't skip: these tests are the only proof that SoX really reaches a sound server.
    throw new Error(`the PulseAudio tests need \`${command}\`, which is not installed: apt-get install ${debianPackage} sox libsox-fmt-pulse`);
  }
}

async function waitUntilReady(daemon: ChildProcess, pactl: (...args: string[]) => string, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) {
      throw new Error(`pulseaudio exited during start-up: ${log().trim().split('\n').slice(-3).join(' | ')}`);
    }
    try {
      const sinks = pactl('list', 'short', 'sinks');
      if (sinks.includes('spk') && sinks.includes('mic')) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      daemon.kill('SIGKILL');
      throw new Error(`pulseaudio did not become ready in ${READY_TIMEOUT_MS} ms: ${log().trim().split('\n').slice(-3).join(' | ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * An idle null sink renders in ~2 s blocks, so a client that connects waits up to 2 s
 * for its first audio, every time. A low-latency recorder kept on each monitor for the
 * server's lifetime keeps the sinks rendering in small blocks; it adds nothing to what
 * other clients hear. Resolves once audio flows, i.e. the slow first block is over.
 */
async function keepSinkResponsive(source: string, server: string): Promise<ChildProcess> {
  const recorder = spawn('parecord', [`--device=${source}`, '--raw', '--latency-msec=10'], { env: { ...process.env, PULSE_SERVER: server }, stdio: ['ignore', 'pipe', 'ignore'] });
  const gotAudio = new Promise<boolean>((resolve) => {
    recorder.stdout?.once('data', () => resolve(true));
    recorder.once('exit', () => resolve(false));
  });
  recorder.stdout?.resume();
  const timer = setTimeout(() => recorder.kill('SIGKILL'), 5000);
  const ok = await gotAudio;
  clearTimeout(timer);
  if (!ok) throw new Error(`parecord got no audio from ${source} within 5 s`);
  return recorder;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

function restoreEnv(previous: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** Records a PulseAudio source (e.g. "spk.monitor") as mono PCM16 while a test runs. */
export class SourceCapture {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private readonly process: ChildProcess;
  private readonly firstAudio: Promise<void>;

  constructor(source: string, readonly sampleRate: number) {
    this.process = spawn('parecord', [`--device=${source}`, '--raw', '--format=s16le', `--rate=${sampleRate}`, '--channels=1', '--latency-msec=10'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.firstAudio = new Promise((resolve, reject) => {
      this.process.stdout?.once('data', () => resolve());
      this.process.once('exit', (code) => reject(new Error(`parecord on ${source} exited (${String(code)}) before any audio`)));
    });
    this.process.stdout?.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    });
  }

  /** Resolves once audio flows, so nothing played after this is missed. */
  ready(): Promise<void> {
    return this.firstAudio;
  }

  get capturedSamples(): number {
    return Math.floor(this.bytes / 2);
  }

  /** The last `ms` captured so far (fewer when less was captured). */
  recentSamples(ms: number): Int16Array {
    const wanted = Math.floor((this.sampleRate * ms) / 1000) * 2;
    const parts: Buffer[] = [];
    let have = 0;
    for (let i = this.chunks.length - 1; i >= 0 && have < wanted; i--) {
      parts.unshift(this.chunks[i]!);
      have += this.chunks[i]!.length;
    }
    const tail = Buffer.concat(parts);
    const start = Math.max(0, tail.length - wanted) & ~1;
    return new Int16Array(tail.buffer.slice(tail.byteOffset + start, tail.byteOffset + tail.length - ((tail.length - start) % 2)));
  }

  async stop(): Promise<Int16Array> {
    await stopProcess(this.process);
    const all = Buffer.concat(this.chunks);
    return new Int16Array(all.buffer, all.byteOffset, Math.floor(all.length / 2)).slice();
  }
}
