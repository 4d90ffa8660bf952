import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NAME_PREFIX = 'kaiwa_ec';

export interface EchoCancellerDevices {
  /** PulseAudio source to record from: the microphone with the speaker's echo removed. */
  readonly source: string;
  /** PulseAudio sink to play to: the canceller's reference signal. */
  readonly sink: string;
  readonly moduleIndex: number;
  unload(): Promise<void>;
}

export interface EchoCancellerOptions {
  /** Real devices behind the canceller; PulseAudio's defaults when omitted. */
  sourceMaster?: string;
  sinkMaster?: string;
  env?: NodeJS.ProcessEnv;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Unloads cancellers left behind by kaiwa processes that died without cleaning up. */
export async function unloadStaleEchoCancellers(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { stdout } = await run('pactl', ['list', 'short', 'modules'], { env });
  let unloaded = 0;
  for (const line of stdout.split('\n')) {
    const match = line.match(new RegExp(`^(\\d+)\\s+module-echo-cancel\\s.*source_name=${NAME_PREFIX}_(\\d+)_src`));
    if (!match || isAlive(Number(match[2]))) continue;
    await run('pactl', ['unload-module', match[1]!], { env }).catch(() => undefined);
    unloaded += 1;
  }
  return unloaded;
}

/**
 * A detached shell that outlives kaiwa: if kaiwa (`pid`) is killed (even with SIGKILL), it
 * unloads its canceller within a second, so no virtual device is left behind. It is started
 * before the module is loaded and finds it by kaiwa's name for it, not by an index known only
 * once loading returned: a kaiwa killed in between left the module behind. A second look a
 * second later catches a load that was still under way when kaiwa died.
 */
export function startEchoCancellerWatchdog(pid: number, env: NodeJS.ProcessEnv): { stop(): void; readonly exited: boolean } {
  const unload = `pactl list short modules | awk '/source_name=${NAME_PREFIX}_${pid}_src/ { print $1 }' | while read -r index; do pactl unload-module "$index"; done`;
  const script = `while kill -0 ${pid} 2>/dev/null; do sleep 0.5; done; ${unload}; sleep 1; ${unload}`;
  const child = spawn('sh', ['-c', script], { env, detached: true, stdio: 'ignore' });
  child.unref();
  let exited = false;
  child.once('exit', () => { exited = true; });
  return {
    // The whole group: its `sleep` too.
    stop: () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } },
    get exited() { return exited; },
  };
}

/**
 * Loads PulseAudio's WebRTC acoustic echo canceller for this kaiwa process. kaiwa then
 * records from its source and plays to its sink, so the assistant's own voice coming
 * back through the microphone is subtracted before it reaches the server.
 */
export async function loadEchoCanceller(options: EchoCancellerOptions = {}): Promise<EchoCancellerDevices> {
  const env = options.env ?? process.env;
  const base = `${NAME_PREFIX}_${process.pid}`;
  const args = [
    'load-module', 'module-echo-cancel', 'aec_method=webrtc', 'use_master_format=1',
    `source_name=${base}_src`, `sink_name=${base}_sink`,
    // extended_filter copes with the tens of ms a sound server and a room add (measured here:
    // 0 dB without it, ~29 dB with it); automatic gain control would amplify the residual echo.
    'aec_args="analog_gain_control=0 digital_gain_control=0 extended_filter=1 noise_suppression=1 high_pass_filter=1"',
    ...(options.sourceMaster ? [`source_master=${options.sourceMaster}`] : []),
    ...(options.sinkMaster ? [`sink_master=${options.sinkMaster}`] : []),
  ];
  const watchdog = startEchoCancellerWatchdog(process.pid, env);
  const loading = run('pactl', args, { env });
  // Leftovers of dead kaiwa processes have other names: clearing them need not hold this one up.
  const staleCleared = unloadStaleEchoCancellers(env).catch(() => 0);
  const [{ stdout }] = await Promise.all([loading, staleCleared]).catch((error: unknown) => {
    watchdog.stop();
    throw error;
  });
  const moduleIndex = Number(stdout.trim());
  let unloaded = false;
  return {
    source: `${base}_src`,
    sink: `${base}_sink`,
    moduleIndex,
    unload: async () => {
      if (unloaded) return;
      unloaded = true;
      watchdog.stop();
      await run('pactl', ['unload-module', String(moduleIndex)], { env }).catch(() => undefined);
    },
  };
}
