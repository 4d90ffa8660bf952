/**
 * A terminal that moves no cursor and erases nothing (Emacs' shell, some consoles): the UI's
 * redraws would print there as escape codes, once a frame.
 */
export function isDumbTerminal(env: NodeJS.ProcessEnv): boolean {
  return env.TERM === 'dumb';
}

/**
 * Whether output to `stdout` may be redrawn in place (a status bar, words being recognized):
 * a terminal that can move its cursor. A pipe, a file and a dumb terminal get plain lines.
 * The chat's terminal UI and `kaiwa transcribe`'s captions both ask here, so they agree.
 */
export function canRedrawInPlace(stdout: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stdout.isTTY === true && !isDumbTerminal(env);
}
