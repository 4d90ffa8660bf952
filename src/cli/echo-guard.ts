import { loadEchoCanceller, type EchoCancellerDevices } from '../audio/echo-canceller.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** `aec` is the old name of `pulse`, kept so scripts that use it go on working. */
export type EchoGuardMode = 'auto' | 'in-process' | 'pulse' | 'aec' | 'half-duplex' | 'off';
export const ECHO_GUARD_MODES: readonly EchoGuardMode[] = ['auto', 'in-process', 'pulse', 'aec', 'half-duplex', 'off'];

/** What kaiwa actually does about the speaker reaching the microphone. */
export type EchoGuard =
  | { mode: 'in-process' }
  | PulseEchoGuard
  | { mode: 'half-duplex' }
  | { mode: 'off' };

/**
 * PulseAudio's canceller, loading while everything else starts: the devices move onto it
 * once it is there (see audio-setup.ts); if it cannot be loaded, kaiwa is half-duplex instead.
 */
export interface PulseEchoGuard {
  readonly mode: 'pulse';
  /** Its devices once loaded; undefined if it could not be. Never rejects. */
  readonly loaded: Promise<EchoCancellerDevices | undefined>;
  /** True once it is known that it could not be loaded: half-duplex from then on. */
  fellBack(): boolean;
  /** Unloads it (after its loading finished), once. */
  unload(): Promise<void>;
}

/**
 * Resolves `--echo-guard`: in-process (and auto) cancels the echo inside kaiwa (plain
 * devices, any sound server, any OS; half-duplex while it does not hold); pulse asks
 * PulseAudio for its WebRTC module and falls back to half-duplex when it cannot load;
 * nothing with headphones or when there is no live microphone and speaker to loop. The
 * module loads once `loadWhen` resolves (70-90 ms, and two pactl processes), and is not
 * waited for here.
 */
export function chooseEchoGuard(requested: EchoGuardMode, livePair: boolean, logger: Logger, loadWhen: Promise<unknown> = Promise.resolve()): EchoGuard {
  if (requested === 'off' || !livePair) return { mode: 'off' };
  if (requested === 'half-duplex') return { mode: 'half-duplex' };
  if (requested === 'in-process' || requested === 'auto') {
    logger.log('debug', 'echo cancellation in kaiwa (the speaker\'s own samples as reference)');
    return { mode: 'in-process' };
  }
  let fellBack = false;
  let unloading = false;
  let loading: Promise<EchoCancellerDevices | undefined> | undefined;
  const load = (): Promise<EchoCancellerDevices | undefined> => loadEchoCanceller().then((devices) => {
    logger.log('debug', `echo cancellation on (PulseAudio module ${devices.moduleIndex})`);
    return devices;
  }, (error: unknown) => {
    fellBack = true;
    const reason = humanReason(error);
    logger.log('warn', `echo cancellation unavailable (${reason}); using half-duplex instead`);
    return undefined;
  });
  const loaded = loadWhen.then(() => (unloading ? undefined : (loading = load())));
  return {
    mode: 'pulse', loaded, fellBack: () => fellBack,
    // Not loaded yet (nor waited for): then it never will be.
    unload: async () => {
      unloading = true;
      await (await loading)?.unload();
    },
  };
}

/** What pactl said, not the command line that failed ("Command failed: pactl load-module …"). */
function humanReason(error: unknown): string {
  const said = (error as { stderr?: unknown }).stderr;
  const text = typeof said === 'string' && said.trim() ? said : errorMessage(error).replace(/^Command failed: .*$/m, '');
  return text.split('\n').map((line) => line.trim()).find(Boolean) ?? 'PulseAudio refused the module';
}
