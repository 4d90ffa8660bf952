/**
 * The command that installs Debian packages, as this user would type it: with `sudo` only
 * for a user who is not root (a root shell in a container often has no sudo at all).
 */
export function aptInstall(packages: string, asRoot = process.getuid?.() === 0): string {
  return `${asRoot ? '' : 'sudo '}apt-get install ${packages}`;
}
