import type { ServerEvent } from '../protocol/events.js';
import type { ConversationState } from '../client/conversation.js';
import { AS_CHOSEN, type OwnText } from '../own-text.js';

export interface TranscriptPrinterOptions {
  write: (text: string) => void;
  /** How long an assistant reply waits for the user's late transcript before it is shown anyway. */
  holdMs?: number;
  /**
   * Puts the printer's own marks (` — [interrupted …]`, `assistant: …`) into the terminal's
   * charset; by default the process's choice (own-text.ts). The transcript itself goes out as it is.
   */
  own?: OwnText;
}

/**
 * Line-oriented transcript for pipes and plain terminals: `you: …` and `assistant: …`
 * streamed from deltas. The user's transcript usually arrives after the reply began, so
 * the reply is held back (briefly) until the user's line can be printed above it.
 */
export class TranscriptPrinter {
  private openItem: string | undefined;
  /** The open line was broken off for a line written elsewhere to the same place: it goes on under `assistant: …`. */
  private brokenOff = false;
  private readonly held: Array<{ itemId: string; delta: string }> = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly printedUserItems = new Set<string>();
  private readonly holdMs: number;
  private readonly own: OwnText;

  constructor(private readonly options: TranscriptPrinterOptions) {
    this.holdMs = options.holdMs ?? 1500;
    this.own = options.own ?? AS_CHOSEN;
  }

  handle(event: ServerEvent, state: ConversationState): void {
    switch (event.type) {
      case 'conversation.item.added':
      case 'conversation.item.done':
        this.printTypedUserText(event.item.id, state);
        break;
      case 'conversation.item.input_audio_transcription.completed':
        // Speech the recognizer found no words in (a cough, a tone) is still a turn the assistant answers.
        this.printUserLine(event.item_id, event.transcript.trim() || '(no words recognized)');
        break;
      case 'conversation.item.input_audio_transcription.failed':
        this.printUserLine(event.item_id, '(not transcribed)');
        break;
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta':
        this.assistantDelta(event.item_id, event.delta, state);
        break;
      case 'response.output_audio_transcript.done':
      case 'response.output_text.done':
      case 'response.output_item.done':
        if ('item_id' in event ? event.item_id === this.openItem : event.item.id === this.openItem) this.endLine();
        break;
      case 'response.done':
        this.flushHeld();
        if (this.openItem) this.endLine(event.response.status === 'cancelled' ? this.own(' —') : '');
        break;
    }
  }

  /** A line of its own between transcript lines (an open line is ended first). */
  note(line: string): void {
    if (this.openItem) this.endLine();
    this.options.write(`${line}\n`);
  }

  /** Marks where the user cut the assistant off: the text printed may run ahead of the voice. */
  interrupted(itemId: string, heardMs: number): void {
    this.flushHeld();
    const mark = this.own(` — [interrupted after ${(heardMs / 1000).toFixed(1)} s]`);
    if (this.openItem === itemId) this.endLine(mark);
    else this.options.write(`assistant:${mark}\n`);
  }

  /** The connection dropped mid-reply: the rest of that line will not come. */
  connectionLost(): void {
    this.flushHeld();
    if (this.openItem) this.endLine(this.own(' — [connection lost]'));
  }

  /**
   * Another writer (the log, on stderr) is about to print a line where this one writes: the
   * open line is broken off there, and the reply goes on under `assistant: …` after it.
   */
  breakLine(): void {
    if (!this.openItem || this.brokenOff) return;
    this.options.write('\n');
    this.brokenOff = true;
  }

  /** Ends any half-printed line so other output starts on its own line. */
  finish(): void {
    this.flushHeld();
    if (this.openItem) this.endLine();
  }

  private printTypedUserText(itemId: string | undefined, state: ConversationState): void {
    const item = state.items.find((candidate) => candidate.id === itemId);
    if (!item || item.speaker !== 'user' || item.transcriptPending || !item.text) return;
    this.printUserLine(item.id, item.text);
  }

  private printUserLine(itemId: string, text: string): void {
    if (this.printedUserItems.has(itemId)) return;
    this.printedUserItems.add(itemId);
    const wasOpen = this.openItem;
    if (wasOpen) this.options.write('\n');
    this.options.write(`you: ${text}\n`);
    if (wasOpen) this.options.write(this.own('assistant: …'));
    if (this.held.length) this.flushHeld();
  }

  private assistantDelta(itemId: string, delta: string, state: ConversationState): void {
    if (this.held.length || (!this.openItem && this.awaitingUserTranscript(state))) {
      this.hold(itemId, delta, state);
      return;
    }
    this.writeDelta(itemId, delta);
  }

  private awaitingUserTranscript(state: ConversationState): boolean {
    return state.items.some((item) => item.speaker === 'user' && item.transcriptPending && !this.printedUserItems.has(item.id));
  }

  private hold(itemId: string, delta: string, state: ConversationState): void {
    this.held.push({ itemId, delta });
    if (!this.awaitingUserTranscript(state)) return this.flushHeld();
    this.holdTimer ??= setTimeout(() => this.flushHeld(), this.holdMs);
  }

  private flushHeld(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const { itemId, delta } of this.held.splice(0)) this.writeDelta(itemId, delta);
  }

  private writeDelta(itemId: string, delta: string): void {
    if (this.openItem !== itemId) {
      if (this.openItem) this.endLine();
      this.openItem = itemId;
      this.options.write('assistant: ');
    } else if (this.brokenOff) {
      this.brokenOff = false;
      this.options.write(this.own('assistant: …'));
    }
    this.options.write(delta);
  }

  private endLine(suffix = ''): void {
    const resumed = this.brokenOff;
    this.brokenOff = false;
    this.openItem = undefined;
    // A line already broken off and ended with nothing more to say needs no empty line.
    if (resumed && !suffix) return;
    this.options.write(resumed ? `${this.own('assistant: …')}${suffix}\n` : `${suffix}\n`);
  }
}
