/**
 * `--only fast-input`: kaiwa serve as shipped (WebRTC detector, streaming pocketsphinx with
 * the batch recognizer behind it, espeak-ng voice, echo engine), in its own process, and an
 * app streaming ~5 s of speech at 4× real time, then committing it and asking for a
 * response (bench/clients/fast-input.ts): commit → first audio, over 10 turns, with turn
 * detection off (the app commits) and with server_vad on.
 */
import { startBenchServer } from '../../test/helpers/bench-server.js';
import { runClient } from '../lib/child.js';
import { median, percentile } from '../lib/stats.js';
import type { FastInputResult } from '../clients/fast-input.js';
import type { BenchContext } from '../lib/context.js';

export interface FastInputSettings {
  turns: number;
  speed: number;
}

export async function fastInput(settings: FastInputSettings, context: BenchContext): Promise<void> {
  const { fmt, row } = context;
  for (const vad of [false, true]) {
    const server = await startBenchServer({ engine: 'echo', voice: 'espeak', detector: 'webrtc', transcriber: 'pocketsphinx' });
    let result: FastInputResult;
    try {
      result = await runClient<FastInputResult>('fast-input', { url: server.url, turns: settings.turns, speed: settings.speed, vad });
    } finally {
      await server.stop();
    }
    const first = result.turns.map((turn) => turn.firstAudio);
    const p50 = percentile(first, 50);
    const part = (field: 'responseCreated' | 'firstTranscript') => fmt(median(result.turns.map((turn) => turn[field])), 0);
    row(`(k) kaiwa serve, ${fmt(result.speechMs / 1000, 1)} s of speech streamed at ${settings.speed}× real time (${vad ? 'server_vad on' : 'turn detection off'}): commit → first audio, p50 / max`,
      `${fmt(p50, 0)} / ${fmt(Math.max(...first), 0)} ms (${first.length} turns); → response.created / first transcript delta ${part('responseCreated')} / ${part('firstTranscript')} ms`,
      '≤ 1000 ms p50', p50 <= 1000 && result.failures.length === 0);
    const heard = new Map<string, number>();
    for (const turn of result.turns) heard.set(turn.transcript, (heard.get(turn.transcript) ?? 0) + 1);
    context.note(`fast input (${vad ? 'server_vad' : 'no turn detection'}): answers ${[...heard].map(([text, n]) => `${n}× "${text}"`).join('; ')}`);
    if (result.failures.length) context.note(`fast input failures: ${result.failures.join('; ')}`);
    context.raw[`fastInput${vad ? 'Vad' : ''}`] = result;
  }
}
