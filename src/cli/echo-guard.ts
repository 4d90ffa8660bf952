import { loadEchoCanceller, type EchoCancellerDevices } from '../audio/echo-canceller.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

export type EchoGuardMode = 'auto' | 'aec' | 'half-duplex' | 'off';
export const ECHO_GUARD_MODES: readonly EchoGuardMode[] = ['auto', 'aec', 'half-duplex', 'off'];

/** What kaiwa actually does about the speaker reaching the microphone. */
export type EchoGuard =
  | { mode: 'aec'; devices: EchoCancellerDevices }
  | { mode: 'half-duplex' }
  | { mode: 'off' };

/**
 * Resolves `--echo-guard`: real echo cancellation (PulseAudio's WebRTC AEC) when asked or
 * when auto finds it, half-duplex when it cannot load, nothing with headphones or when
 * there is no live microphone and speaker to loop.
 */
export async function chooseEchoGuard(
  requested: EchoGuardMode, livePair: boolean, logger: Logger,
): Promise<EchoGuard> {
  if (requested === 'off' || !livePair) return { mode: 'off' };
  if (requested === 'half-duplex') return { mode: 'half-duplex' };
  try {
    const devices = await loadEchoCanceller();
    logger.log('debug', `echo cancellation on (PulseAudio module ${devices.moduleIndex})`);
    return { mode: 'aec', devices };
  } catch (error) {
    const reason = humanReason(error);
    if (requested === 'aec') logger.log('warn', `echo cancellation unavailable (${reason}); using half-duplex instead`);
    else logger.log('debug', `echo cancellation unavailable (${reason}); half-duplex`);
    return { mode: 'half-duplex' };
  }
}

/** What pactl said, not the command line that failed ("Command failed: pactl load-module …"). */
function humanReason(error: unknown): string {
  const said = (error as { stderr?: unknown }).stderr;
  const text = typeof said === 'string' && said.trim() ? said : errorMessage(error).replace(/^Command failed: .*$/m, '');
  return text.split('\n').map((line) => line.trim()).find(Boolean) ?? 'PulseAudio refused the module';
}
