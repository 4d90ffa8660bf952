import { homedir } from 'node:os';
import { join } from 'node:path';

/** kaiwa's folder in the user's config directory ($XDG_CONFIG_HOME/kaiwa, else ~/.config/kaiwa). */
export function kaiwaConfigDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'kaiwa');
}

export function defaultConfigPath(): string {
  return join(kaiwaConfigDir(), 'config.json');
}
