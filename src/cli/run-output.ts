import type { ConversationState } from '../client/conversation.js';
import { severityOf } from '../client/error-severity.js';
import type { ProtocolError, Response, ServerEvent } from '../protocol/events.js';
import type { ResponseOwner } from '../client/response-ledger.js';
import { formatTokens } from '../cost/token-format.js';
import type { TokenTotals } from '../cost/token-totals.js';
import type { RedactingLogger } from '../logger.js';
import { printableText } from '../terminal-text.js';
import { eventToJsonLine } from './json-printer.js';
import { TranscriptPrinter } from './transcript-printer.js';
import { explainServerError, rateLimitNotice } from './rate-limit-notice.js';
import { idleTimeoutNotice } from './idle-timeout-notice.js';
import type { TerminalUi } from './tui/terminal-ui.js';
import { own } from '../own-text.js';
import { sameDestination } from './shared-destination.js';

const MAX_MALFORMED_WARNINGS = 3;

const INCOMPLETE_REASONS: Record<string, string> = {
  max_output_tokens: 'the answer reached the output token limit (--max-output-tokens)',
  content_filter: 'the service\'s safety filter stopped the answer',
};

/** One line saying why a response did not complete, or undefined when it did (or the user cut it off). */
export function statusLine(response: Response): string | undefined {
  const details = response.status_details;
  if (response.status === 'incomplete') {
    const reason = details?.reason ?? 'no reason given';
    return `response incomplete: ${INCOMPLETE_REASONS[reason] ?? reason}`;
  }
  if (response.status === 'failed') {
    const error = details?.error;
    const what = [error?.code, error?.message].filter(Boolean).join(': ');
    return `response failed: ${what || details?.reason || 'no reason given'}`;
  }
  return undefined;
}

export interface RunOutputParts {
  stdout: NodeJS.WritableStream;
  /** Where the log goes when there is no terminal UI (it breaks an open transcript line off when it is stdout's destination too). */
  stderr?: NodeJS.WritableStream;
  logger: RedactingLogger;
  ui: TerminalUi | undefined;
  json: boolean;
}

/**
 * What the person reads: transcripts (or every event with --json), warnings about the
 * server's errors, malformed events and rate limits, and a usage line per response.
 * Whatever a server says goes through the redactor (it may echo the key back), and the
 * transcript loses any control sequence on its way to the terminal (a log line does in the logger).
 */
export class RunOutput {
  readonly printer: TranscriptPrinter;
  /** Restored items the server has yet to announce; they were printed the first time. */
  private restoredEchoes = 0;
  /** The ids the server gave the restored items it announced: their later events are echoes too. */
  private readonly restoredIds = new Set<string>();
  private malformedCount = 0;
  private turns = 0;

  constructor(private readonly parts: RunOutputParts) {
    this.printer = new TranscriptPrinter({ write: (text) => this.writeTranscript(text) });
    const { stdout, stderr, ui, json, logger } = parts;
    if (!ui && !json && stderr && sameDestination(stdout, stderr)) {
      logger.redirect((line) => {
        this.printer.breakLine();
        stderr.write(line);
      });
    }
  }

  /** Shows one server event; returns true for an error that ends the session. */
  serverEvent(event: ServerEvent, state: ConversationState, owner: (responseId: string) => ResponseOwner): boolean {
    const { json, stdout, logger, ui } = this.parts;
    const restoredEcho = this.isRestoredEcho(event);
    if (!restoredEcho && event.type === 'conversation.item.added' && event.item.type === 'message' && event.item.role === 'user') this.turns += 1;
    if (json) stdout.write(logger.redact(`${eventToJsonLine(event)}\n`));
    else if (this.isForeign(event, owner)) this.collectForeign(event);
    else if (!restoredEcho) this.printer.handle(event, state);
    ui?.dispatch({ type: 'server', event });
    if (event.type === 'rate_limits.updated') this.noteRateLimits(event);
    if (event.type === 'input_audio_buffer.timeout_triggered' && !json) logger.log('info', idleTimeoutNotice(event));
    return event.type === 'error' && this.serverError(event.error);
  }

  /**
   * The user's turns over the whole run: a reconnect empties the conversation state until the new
   * session has announced what was restored, and those announcements are no new turns.
   */
  get userTurns(): number {
    return this.turns;
  }

  /** `costText` undefined: the session is not billed per response (GPT-Live), so no usage line. */
  responseDone(response: Response, owner: ResponseOwner, tokens: TokenTotals, costText: string | undefined): void {
    const { json, logger, ui } = this.parts;
    if (owner === 'foreign') this.printForeign(response);
    // The terminal UI keeps running totals in its status bar; a line per response is for plain output.
    if (!json && costText !== undefined) logger.log(ui ? 'debug' : 'info', own`usage: ${formatTokens(tokens)} · ${costText}`);
    const status = statusLine(response);
    if (status) logger.log('warn', owner === 'foreign' ? `other response ${response.id ?? ''}: ${status}` : status);
  }

  /** Text of responses kaiwa did not ask for, by response id: shown labelled when they end. */
  private readonly foreignText = new Map<string, string>();

  private isForeign(event: ServerEvent, owner: (responseId: string) => ResponseOwner): boolean {
    const responseId = 'response_id' in event ? event.response_id : event.type === 'response.created' || event.type === 'response.done' ? event.response.id : undefined;
    return typeof responseId === 'string' && owner(responseId) === 'foreign';
  }

  private collectForeign(event: ServerEvent): void {
    if (event.type !== 'response.output_audio_transcript.delta' && event.type !== 'response.output_text.delta') return;
    this.foreignText.set(event.response_id, (this.foreignText.get(event.response_id) ?? '') + event.delta);
  }

  private printForeign(response: Response): void {
    const text = (this.foreignText.get(response.id ?? '') ?? '').trim();
    this.foreignText.delete(response.id ?? '');
    const origin = response.conversation_id === null ? 'out-of-band response' : 'response kaiwa did not ask for';
    if (text && !this.parts.json) this.printer.note(`[${origin} ${response.id ?? ''}] ${text}`);
  }

  /** The connection dropped: the reply being printed is cut off, and the status stops showing it (or the user's turn) as under way. */
  connectionLost(): void {
    this.printer.connectionLost();
    this.parts.ui?.dispatch({ type: 'connection-lost' });
  }

  /** The next `restored` items the server announces were printed before the reconnect. */
  expectRestoredEchoes(restored: number): void {
    this.restoredEchoes = restored;
    this.restoredIds.clear();
  }

  malformed(reason: string): void {
    const { logger } = this.parts;
    this.malformedCount += 1;
    if (this.malformedCount <= MAX_MALFORMED_WARNINGS) logger.log('warn', reason);
    if (this.malformedCount === MAX_MALFORMED_WARNINGS) logger.log('warn', 'further malformed events are counted, not shown (--debug shows them)');
  }

  private serverError(error: ProtocolError): boolean {
    // Which of kaiwa's events caused it, when the server says (Live's client_event_id).
    const cause = error.event_id ? ` (caused by event ${error.event_id})` : '';
    const line = `server error: ${error.code ?? error.type}: ${explainServerError(error.code, error.message)}${cause}`;
    if (severityOf(error) !== 'fatal') {
      this.parts.logger.log('warn', line);
      return false;
    }
    this.parts.logger.log('error', `${line} (this cannot get better by retrying; ending the session)`);
    return true;
  }

  private noteRateLimits(event: ServerEvent & { type: 'rate_limits.updated' }): void {
    const notice = rateLimitNotice(event);
    if (notice) this.parts.logger.log('warn', notice);
  }

  private writeTranscript(text: string): void {
    // Each delta is cleaned alone: a sequence split across two loses its ESC either way.
    const clean = this.parts.logger.redact(printableText(text));
    if (this.parts.ui) this.parts.ui.write(clean);
    else this.parts.stdout.write(clean);
  }

  private isRestoredEcho(event: ServerEvent): boolean {
    if (event.type === 'conversation.item.added' && this.restoredEchoes > 0) {
      this.restoredEchoes -= 1;
      if (event.item.id) this.restoredIds.add(event.item.id);
      return true;
    }
    return event.type === 'conversation.item.done' && event.item.id !== undefined && this.restoredIds.delete(event.item.id);
  }
}
