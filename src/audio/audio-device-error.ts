import { KaiwaError } from '../errors.js';
import { aptInstall } from '../install-hint.js';

/**
 * The microphone or speaker can't be used (SoX missing, no device, device lost).
 * One line that says what to do instead, printed as is by the CLI.
 */
export class AudioDeviceError extends KaiwaError {}

export const SOX_MISSING_MESSAGE =
  `SoX is not installed: install it with \`${aptInstall('sox libsox-fmt-pulse')}\` (or \`brew install sox\`), or use --modalities text / --input FILE.wav`;
