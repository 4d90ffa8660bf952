import { printableLine, shortened } from './terminal-text.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A one-line-per-message logger. Library code takes one; the default says nothing. */
export interface Logger {
  log(level: LogLevel, message: string): void;
}

export const silentLogger: Logger = { log: () => undefined };

/**
 * Writes lines to a stream after removing every registered secret and anything shaped
 * like an OpenAI key, so a key pasted into a URL or echoed by a server never leaks.
 * Messages carry what servers say (errors, tool calls, close reasons): each is written as
 * one printable line of sane length, so a server cannot drive the terminal or flood it.
 */
export class RedactingLogger implements Logger {
  private readonly secrets = new Set<string>();

  constructor(private write: (line: string) => void, private readonly level: LogLevel = 'info') {}

  /** Sends further lines elsewhere (the terminal UI draws them above its status bar). */
  redirect(write: (line: string) => void): void {
    this.write = write;
  }

  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let clean = text;
    for (const secret of this.secrets) clean = clean.split(secret).join('[redacted]');
    return clean.replace(/\bsk-[A-Za-z0-9_-]{8,}/g, 'sk-[redacted]');
  }

  log(level: LogLevel, message: string): void {
    if (RANK[level] > RANK[this.level]) return;
    const prefix = level === 'info' ? '' : `${level}: `;
    // Controls go before redacting (an escape sequence inside a key would hide it from the
    // redactor), the cut after (it could leave a piece of a key the redactor no longer knows).
    // --debug asked for everything: its lines are cleaned, not cut.
    const line = this.redact(printableLine(message));
    this.write(`${prefix}${level === 'debug' ? line : shortened(line)}\n`);
  }
}
