/**
 * Errors meant for the person at the terminal: the message is one complete line that
 * says what happened and what to do, so the CLI prints it as is, without a stack trace.
 */
export class KaiwaError extends Error {
  /** `options.cause`: what failed underneath (a file-system error), for a caller that says it in its own words. */
  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad flag, config value or argument (exit 2, like other CLI tools). */
export class UsageError extends KaiwaError {
  constructor(message: string) {
    super(message, 2);
  }
}

export interface ConnectionErrorDetails {
  /** HTTP status of a refused WebSocket upgrade. */
  status?: number;
  /** What failed below HTTP: an errno code (ECONNREFUSED, ENOTFOUND, …) or 'timeout'. */
  code?: string;
  /** Whether trying again may work; by default, decided from the status (see isRetryableStatus). */
  retryable?: boolean;
  /** What failed underneath, in Node's words (shown with --debug). */
  cause?: unknown;
}

/**
 * The server could not be reached or refused us. Like the errors of `ws` and the openai
 * SDK, it says why in fields a program can branch on, so a reconnect loop knows whether
 * another attempt can help.
 */
export class ConnectionError extends KaiwaError {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryable: boolean;

  constructor(message: string, details: ConnectionErrorDetails = {}) {
    super(message, 1, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.retryable = details.retryable ?? (details.status === undefined || isRetryableStatus(details.status));
  }
}

/**
 * A refused request is worth repeating when the refusal may pass (timeout, conflict,
 * rate limit, server trouble), as the openai SDK decides; any other 4xx (401, 403, 404)
 * will answer the same next time.
 */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 409 || status === 429) return true;
  return status < 400 || status >= 500;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
