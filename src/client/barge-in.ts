import type { RealtimeSession } from './session.js';
import type { ServerEvent, SessionConfig } from '../protocol/events.js';

/** What barge-in needs from the speaker: is it sounding, and how much of an item was heard. */
export interface PlaybackClock {
  readonly audible: boolean;
  heardMs(itemId: string): number;
  receivedMs(itemId: string): number;
}

export interface Interruption {
  itemId: string;
  heardMs: number;
  /** 'truncated' told the server what was heard; 'deleted' when nothing was heard at all. */
  action: 'truncated' | 'deleted';
}

/** The server cancels by itself when VAD is on with interrupt_response (its default). */
function serverCancelsOnSpeech(session: SessionConfig | undefined): boolean {
  const detection = session?.audio?.input?.turn_detection;
  if (!detection) return false;
  return detection.interrupt_response ?? true;
}

/**
 * When the user talks over the assistant (or presses the interrupt key): silence the
 * speaker at once, tell the server how much was actually heard so it forgets the rest,
 * and cancel the response if the server will not. Truncating at 0 ms is refused by the
 * service, so an item nobody heard is deleted instead.
 */
export class BargeIn {
  private speakingItem: string | undefined;

  constructor(
    private readonly session: RealtimeSession,
    private readonly clock: PlaybackClock,
    private readonly silence: (itemId: string) => void,
    private readonly onInterrupted: (interruption: Interruption) => void = () => undefined,
  ) {
    session.on('server-event', (event) => this.onServerEvent(event));
  }

  /** Interrupts now; returns what was done, or undefined when the assistant was not speaking. */
  interrupt(byServerVad = false): Interruption | undefined {
    const itemId = this.speakingItem;
    if (!itemId || !this.clock.audible) {
      if (!byServerVad && this.session.responseInFlight) this.session.cancelResponse();
      return undefined;
    }
    const heardMs = Math.min(this.clock.heardMs(itemId), this.clock.receivedMs(itemId));
    this.silence(itemId);
    this.speakingItem = undefined;
    const cancelNeeded = this.session.responseInFlight && !(byServerVad && serverCancelsOnSpeech(this.session.state.session));
    if (cancelNeeded) this.session.cancelResponse();
    const action = Math.floor(heardMs) > 0 ? 'truncated' : 'deleted';
    if (action === 'truncated') this.session.truncate(itemId, Math.floor(heardMs));
    else this.session.deleteItem(itemId);
    const interruption = { itemId, heardMs: Math.floor(heardMs), action } as const;
    this.onInterrupted(interruption);
    return interruption;
  }

  private onServerEvent(event: ServerEvent): void {
    if (event.type === 'response.output_audio.delta') this.speakingItem = event.item_id;
    if (event.type === 'input_audio_buffer.speech_started') this.interrupt(true);
  }
}
