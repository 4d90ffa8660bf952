import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { DEFAULT_LIVE_MODEL } from '../protocol/live/live-types.js';

/** Azure's preview API versions (`2024-10-01-preview`, `2025-04-01-preview`, …) serve the 2024 beta protocol. */
function isPreviewApiVersion(version: string | undefined): version is string {
  return version !== undefined && /-preview$/i.test(version.trim());
}

/**
 * `--api-version` with a preview version means the beta dialect, so it is chosen unless
 * the user chose a protocol; an explicit `ga` there would send GA events to a beta
 * endpoint, which only fails later and less clearly, so it is refused in one line.
 */
export function settleProtocol(command: Command): void {
  const { apiVersion, protocol } = command.opts<{ apiVersion?: string; protocol: string }>();
  if (protocol === 'live') settleLiveModel(command);
  else leaveOutLiveOnlySettings(command);
  if (!isPreviewApiVersion(apiVersion)) return;
  const source = command.getOptionValueSource('protocol');
  if (source === 'default' || source === undefined) {
    command.setOptionValueWithSource('protocol', 'beta', 'implied');
    return;
  }
  if (protocol !== 'beta') {
    throw new UsageError(`--api-version ${apiVersion} is Azure's preview interface, which speaks the beta protocol: use --protocol beta (or drop --api-version for the GA /openai/v1 endpoint)`);
  }
}

/** GPT-Live has models of its own: the Realtime default would be refused, so Live's first model is taken instead. */
function settleLiveModel(command: Command): void {
  const source = command.getOptionValueSource('model');
  if (source === 'default' || source === undefined) command.setOptionValueWithSource('model', DEFAULT_LIVE_MODEL, 'implied');
}

/**
 * A config file holds defaults for every run: its delegate model is for the runs that use
 * GPT-Live, not a mistake in the others (given as a flag to one of those, it is refused).
 */
function leaveOutLiveOnlySettings(command: Command): void {
  if (command.getOptionValueSource('delegateModel') === 'config') command.setOptionValueWithSource('delegateModel', undefined, 'default');
}
