import { loadEchoCanceller, type EchoCancellerDevices } from '../audio/echo-canceller.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** `aec` is the old name of `pulse`, kept so scripts that use it go on working. */
export type EchoGuardMode = 'auto' | 'in-process' | 'pulse' | 'aec' | 'half-duplex' | 'off';
export const ECHO_GUARD_MODES: readonly EchoGuardMode[] = ['auto', 'in-process', 'pulse', 'aec', 'half-duplex', 'off'];

/** What kaiwa actually does about the speaker reaching the microphone. */
export type EchoGuard =
  | { mode: 'in-process' }
  | { mode: 'pulse'; devices: EchoCancellerDevices }
  | { mode: 'half-duplex' }
  | { mode: 'off' };

/**
 * Resolves `--echo-guard`: in-process cancels the echo inside kaiwa (plain devices, any
 * sound server, any OS); pulse asks PulseAudio for its WebRTC module and falls back to
 * half-duplex when it cannot load; auto is still pulse-else-half-duplex, quietly (kaiwa's
 * own canceller does not yet pass every case the module does: see BENCHMARKS.md); nothing
 * with headphones or when there is no live microphone and speaker to loop.
 */
export async function chooseEchoGuard(
  requested: EchoGuardMode, livePair: boolean, logger: Logger,
): Promise<EchoGuard> {
  if (requested === 'off' || !livePair) return { mode: 'off' };
  if (requested === 'half-duplex') return { mode: 'half-duplex' };
  if (requested === 'in-process') {
    logger.log('debug', 'echo cancellation in kaiwa (the speaker\'s own samples as reference)');
    return { mode: 'in-process' };
  }
  try {
    const devices = await loadEchoCanceller();
    logger.log('debug', `echo cancellation on (PulseAudio module ${devices.moduleIndex})`);
    return { mode: 'pulse', devices };
  } catch (error) {
    const reason = humanReason(error);
    if (requested === 'auto') logger.log('debug', `echo cancellation unavailable (${reason}); half-duplex`);
    else logger.log('warn', `echo cancellation unavailable (${reason}); using half-duplex instead`);
    return { mode: 'half-duplex' };
  }
}

/** What pactl said, not the command line that failed ("Command failed: pactl load-module …"). */
function humanReason(error: unknown): string {
  const said = (error as { stderr?: unknown }).stderr;
  const text = typeof said === 'string' && said.trim() ? said : errorMessage(error).replace(/^Command failed: .*$/m, '');
  return text.split('\n').map((line) => line.trim()).find(Boolean) ?? 'PulseAudio refused the module';
}
