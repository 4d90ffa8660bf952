import { InProcessEchoGuard } from '../client/in-process-echo-guard.js';
import type { Logger } from '../logger.js';
import type { AudioSetup } from './audio-setup.js';
import type { TerminalUi } from './tui/terminal-ui.js';
import { echoDumpTap } from './echo-dump.js';

/**
 * `--echo-guard auto`: kaiwa's own echo canceller on the captured audio. When it stops
 * holding, one log line and the status bar say the microphone is half-duplex for now;
 * when it holds again, that it is full duplex again.
 */
export function inProcessEchoGuard(audio: AudioSetup, logger: Logger, ui: TerminalUi | undefined): InProcessEchoGuard | undefined {
  const speaker = audio.speaker;
  if (audio.echoGuard.mode !== 'in-process' || !speaker || !audio.source) return undefined;
  const tap = echoDumpTap(process.env['KAIWA_ECHO_DUMP']);
  return new InProcessEchoGuard(speaker, {
    ...(tap ? { tap } : {}),
    onChange: (halfDuplex, status) => {
      const measured = status.delayMs === undefined ? 'no echo path delay found' : `${status.attenuationDb.toFixed(0)} dB at ${status.delayMs.toFixed(0)} ms`;
      if (halfDuplex) {
        logger.log('warn', `echo cancellation is not holding (${measured}): half-duplex for the rest of this reply`);
        ui?.dispatch({ type: 'notice', text: 'echo: half-duplex until the canceller holds' });
      } else {
        logger.log('info', `echo cancellation holds again (${measured}): full duplex`);
        ui?.dispatch({ type: 'notice', text: undefined });
      }
    },
    onLatencyRestart: ({ firstMs, nowMs }) => logger.log('debug', `echo path delay grew from ${firstMs.toFixed(0)} to ${nowMs.toFixed(0)} ms `
      + '(the output latency, not the room): player restarted between replies; the delay is searched again at the next reply'),
    onConverged: (afterMs, status) => logger.log('debug', `echo canceller holding ${afterMs.toFixed(0)} ms after the speaker first sounded: `
      + `delay ${status.delayMs?.toFixed(1)} ms, ${status.attenuationDb.toFixed(1)} dB removed (ERLE ${status.erleDb.toFixed(1)} dB)`),
  });
}
