/**
 * The floor baseline: a bare rebuild of the ~100-line script from the seed article
 * (2024-10, beta protocol): a `ws` WebSocket, SoX recording the microphone to stdout
 * (each chunk sent as input_audio_buffer.append in base64), and every
 * response.audio.delta base64-decoded straight into a SoX player's stdin. No pacing,
 * no state, no interruption handling, no shutdown: the least a client can do.
 *
 * bench/clients/floor-burst.ts runs it as the article does, on its own SoX devices (also
 * against the real API: OPENAI_API_KEY, optional OPENAI_REALTIME_URL). The duplex
 * benchmark passes its own microphone, speaker and session (turn detection off, so every
 * client gets the same workload). No entry point here: bundled into a client, one would
 * start a second client in the same process (it did: two connections, and the burst
 * answered to neither).
 */
import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import WebSocket from 'ws';

export interface ArticleClientOptions {
  url: string;
  apiKey: string;
  /** Emits 'data' with raw PCM16 24 kHz mono (default: a SoX recorder on the default device). */
  mic?: EventEmitter;
  /** Takes raw PCM16 24 kHz mono (default: a SoX player's stdin). */
  speaker?: NodeJS.WritableStream;
  /** Overrides the session the article configured. */
  session?: Record<string, unknown>;
  /** A typed message sent after connecting, as in the article's text example. */
  text?: string;
  log?: (...values: unknown[]) => void;
}

const instructions = `時々俳句や川柳を織り交ぜて返事するアシスタントとして会話してください。
普通の返答に詩的なフレーバーを追加。シンプルなタスク指示でも突然俳句が入ってきます。`;

export function startArticleClient(options: ArticleClientOptions): WebSocket {
  const log = options.log ?? console.log;
  const ws = new WebSocket(options.url, {
    headers: {
      'Authorization': 'Bearer ' + options.apiKey,
      'OpenAI-Beta': 'realtime=v1',
    },
  });

  const recorderStream = options.mic ?? spawn('sox', [
    '--default-device', '--no-show-progress', '--rate', '24000', '--channels', '1',
    '--encoding', 'signed-integer', '--bits', '16', '--type', 'raw', '-',
  ]).stdout;

  const audioStream = options.speaker ?? spawn('sox', [
    '--type', 'raw', '--rate', '24000', '--encoding', 'signed-integer', '--bits', '16', '--channels', '1', '-',
    '--no-show-progress', '--default-device',
  ]).stdin;

  ws.on('open', () => {
    ws.send(JSON.stringify({
      type: 'session.update',
      session: options.session ?? {
        voice: 'echo',
        instructions: instructions,
        input_audio_transcription: { model: 'whisper-1' },
        turn_detection: { type: 'server_vad' },
      },
    }));
    recorderStream.on('data', (chunk: Buffer) => {
      ws.send(JSON.stringify({
        type: 'input_audio_buffer.append',
        audio: chunk.toString('base64'),
      }));
    });
    if (options.text) {
      ws.send(JSON.stringify({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: options.text }] },
      }));
      ws.send(JSON.stringify({ type: 'response.create' }));
    }
  });

  ws.on('message', (message) => {
    const event = JSON.parse(message.toString());
    switch (event.type) {
      case 'response.audio.delta':
        audioStream.write(Buffer.from(event.delta, 'base64'));
        break;
      case 'response.audio_transcript.done':
      case 'conversation.item.input_audio_transcription.completed':
        log(event.type, event.transcript);
        break;
      case 'response.done':
        log(event.type, JSON.stringify(event.response.usage));
        break;
      case 'error':
        console.error('ERROR', event.error);
        break;
    }
  });
  return ws;
}
