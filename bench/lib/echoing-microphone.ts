/**
 * A microphone that hears the speaker: what the player announced as sounding comes back
 * `delayMs` later at `gainDb`, added to the wrapped source's audio. For the duplex
 * client with kaiwa's in-process echo canceller, so that its linear filter and
 * suppressor have an echo to work on (with none, the canceller only searches).
 */
import { EventEmitter } from 'node:events';
import type { AudioSource } from '../../src/audio/devices.js';
import type { PacedPlayer } from '../../src/audio/paced-player.js';
import { PlaybackTape } from '../../src/audio/playback-tape.js';
import { bufferToInt16, int16ToBuffer } from '../../src/audio/pcm16.js';

export class EchoingMicrophone extends EventEmitter implements AudioSource {
  readonly format: AudioSource['format'];
  private readonly tape: PlaybackTape;

  constructor(private readonly source: AudioSource, player: PacedPlayer, private readonly delayMs = 200, gainDb = -6) {
    super();
    this.format = source.format;
    this.tape = new PlaybackTape(source.format.sampleRate);
    const gain = 10 ** (gainDb / 20);
    player.on('sounding', (pcm: Buffer, startsAt: number) => this.tape.record(bufferToInt16(pcm), startsAt));
    source.on('data', (pcm: Buffer) => {
      const mic = bufferToInt16(pcm);
      const heardAt = performance.now() - (mic.length * 1000) / this.format.sampleRate - this.delayMs;
      const echo = this.tape.read(heardAt, mic.length);
      const mixed = new Int16Array(mic.length);
      for (let i = 0; i < mic.length; i++) mixed[i] = Math.max(-32768, Math.min(32767, Math.round(mic[i]! + gain * echo[i]!)));
      this.emit('data', int16ToBuffer(mixed));
    });
    source.on('error', (error: Error) => this.emit('error', error));
  }

  start(): void { this.source.start(); }
  stop(): Promise<void> { return this.source.stop(); }
}
