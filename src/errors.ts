/**
 * Errors meant for the person at the terminal: the message is one complete line that
 * says what happened and what to do, so the CLI prints it as is, without a stack trace.
 */
export class KaiwaError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad flag, config value or argument (exit 2, like other CLI tools). */
export class UsageError extends KaiwaError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The server could not be reached or refused us. */
export class ConnectionError extends KaiwaError {}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
