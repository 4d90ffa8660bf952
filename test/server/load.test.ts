/**
 * Load: `kaiwa serve` (its own process) holds 50 concurrent sessions, each streaming
 * pcm16 microphone audio in real time (20 ms appends paced by one timer), with server VAD
 * on the real WebRTC detector, the echo engine and a voice, for 30 s on loopback. Each
 * session speaks an espeak-ng sentence (made once, reused), waits for the answer, pauses,
 * and speaks again. Checked: no event-order violation in any session, every turn
 * answered, and the server's memory bounded and flat once the sessions are warm.
 *
 * LOAD_SESSIONS, LOAD_SECONDS and LOAD_VOICE (espeak | tone) override the defaults.
 * The transcriber is the tests' fixed one: pocketsphinx would need a recognizer per
 * concurrent turn, which is not what this test is about.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startBenchServer, type BenchSample } from '../helpers/bench-server.js';
import { EventOrderChecker, type Json } from '../helpers/bench-event-order.js';
import { espeakPcm } from '../helpers/bench-speech.js';
import { waitFor } from '../helpers/wait-for.js';

const SESSIONS = Number(process.env.LOAD_SESSIONS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const VOICE = (process.env.LOAD_VOICE ?? 'espeak') as 'espeak' | 'tone';
const CHUNK_MS = 20;
const CHUNK_BYTES = (24000 * 2 * CHUNK_MS) / 1000;
const SILENCE = Buffer.alloc(CHUNK_BYTES).toString('base64');
/** Conversation audio the server keeps per session for retrieve/truncate (default 64 MB). */
const STORED_AUDIO_BYTES = 512 * 1024;
const RSS_LIMIT_MB = 400;
const HEAP_GROWTH_LIMIT_MB = 12;
const NO_ANSWER_MS = 15_000;
const REPLY = 'You said: hello from the test';

type Phase = 'pause' | 'speech' | 'wait' | 'done';

/** One simulated user: speaks, waits for the answer, pauses, speaks again, until the run ends. */
class LoadSession {
  readonly checker: EventOrderChecker;
  private ws!: WebSocket;
  private phase: Phase = 'pause';
  private pauseChunks: number;
  private speechOffset = 0;
  private waitingSince = 0;
  private startedAt = 0;
  sentChunks = 0;
  utterances = 0;
  unanswered = 0;
  closed = false;

  constructor(readonly index: number, private readonly speech: Buffer, private readonly deadline: () => boolean) {
    this.checker = new EventOrderChecker(`session ${index}`);
    this.pauseChunks = 10 + (index % 25);
  }

  get finished(): boolean {
    return this.phase === 'done';
  }

  get answered(): number {
    return this.checker.responses.filter((response) => response.status === 'completed').length;
  }

  async connect(url: string): Promise<void> {
    this.ws = new WebSocket(`${url}/realtime?model=gpt-realtime`, { perMessageDeflate: false });
    this.ws.on('message', (data) => this.checker.check(JSON.parse(data.toString()) as Json));
    this.ws.on('close', () => { this.closed = true; });
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: { type: 'server_vad', silence_duration_ms: 400 } } },
      },
    });
    this.startedAt = performance.now();
  }

  /** Sends the chunks due by now (catching up at most 5 after a late tick). */
  tick(now: number): void {
    if (this.closed) return;
    const due = Math.floor((now - this.startedAt) / CHUNK_MS);
    for (let burst = 0; this.sentChunks < due && burst < 5; burst++) {
      this.sendChunk(now);
      this.sentChunks += 1;
    }
  }

  close(): void {
    this.ws.close();
  }

  private sendChunk(now: number): void {
    if (this.phase === 'pause' && --this.pauseChunks <= 0) {
      this.phase = this.deadline() ? 'done' : 'speech';
      this.speechOffset = 0;
    }
    if (this.phase === 'wait' && (this.answered >= this.utterances || now - this.waitingSince > NO_ANSWER_MS)) {
      if (this.answered < this.utterances) this.unanswered += 1;
      this.phase = 'pause';
      this.pauseChunks = 15 + Math.floor(Math.random() * 20);
    }
    this.send({ type: 'input_audio_buffer.append', audio: this.phase === 'speech' ? this.speechChunk(now) : SILENCE });
  }

  private speechChunk(now: number): string {
    const piece = Buffer.alloc(CHUNK_BYTES);
    this.speech.copy(piece, 0, this.speechOffset, this.speechOffset + CHUNK_BYTES);
    this.speechOffset += CHUNK_BYTES;
    if (this.speechOffset >= this.speech.length) {
      this.utterances += 1;
      this.phase = 'wait';
      this.waitingSince = now;
    }
    return piece.toString('base64');
  }

  private send(event: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(event));
  }
}

function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const num = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const den = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

test(`kaiwa serve holds ${SESSIONS} real-time audio sessions for ${SECONDS} s: ordered events, every turn answered, flat memory`, { timeout: 170_000 }, async () => {
  const speech = espeakPcm('Hello, what is the weather like today?');
  const server = await startBenchServer({
    detector: 'webrtc', transcriber: 'fixed', voice: VOICE, engine: 'echo',
    limits: { maxStoredAudioBytes: STORED_AUDIO_BYTES }, maxSessions: SESSIONS + 10,
  });
  const samples: Array<BenchSample & { sessions: number; answered: number }> = [];
  let sampler: NodeJS.Timeout | undefined;
  let pacer: NodeJS.Timeout | undefined;
  try {
    const baseline = await server.sample({ gc: true, resetLoopDelay: true });
    let stopAt = Infinity;
    const sessions = Array.from({ length: SESSIONS }, (_, i) => new LoadSession(i, speech, () => performance.now() >= stopAt));
    for (const session of sessions) {
      await session.connect(server.url);
      // Staggered starts, like users arriving, not one synchronized chorus (pacing, not a wait for anything).
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const startedAt = performance.now();
    stopAt = startedAt + SECONDS * 1000;
    let lateMaxMs = 0;
    let lastTick = performance.now();
    pacer = setInterval(() => {
      const now = performance.now();
      lateMaxMs = Math.max(lateMaxMs, now - lastTick - CHUNK_MS);
      lastTick = now;
      for (const session of sessions) session.tick(now);
    }, CHUNK_MS);
    let sampling: Promise<void> | undefined;
    sampler = setInterval(() => {
      sampling ??= server.sample({ gc: true }).then((sample) => {
        samples.push({ ...sample, sessions: sessions.filter((s) => !s.closed).length, answered: sessions.reduce((sum, s) => sum + s.answered, 0) });
        sampling = undefined;
      });
    }, 2000);
    // The run: until the deadline, then until every session has had its last answer (the
    // asserts below say which did not).
    const hardStop = stopAt + NO_ANSWER_MS + 5000;
    await waitFor(() => sessions.every((session) => session.finished), { what: 'every session to finish', timeoutMs: hardStop - performance.now(), everyMs: 100 })
      .catch(() => undefined);
    const elapsedS = (performance.now() - startedAt) / 1000;
    clearInterval(pacer);
    clearInterval(sampler);
    await sampling;
    const loaded = await server.sample({ gc: true });
    for (const session of sessions) {
      session.checker.finish();
      session.close();
    }
    await waitFor(() => sessions.every((session) => session.closed), { what: 'every session to close', timeoutMs: 10_000 });
    const after = await server.sample({ gc: true });

    const violations = sessions.flatMap((session) => session.checker.violations);
    const utterances = sessions.reduce((sum, s) => sum + s.utterances, 0);
    const answered = sessions.reduce((sum, s) => sum + s.answered, 0);
    const cpuS = (loaded.cpuMs - baseline.cpuMs) / 1000;
    const steady = samples.filter((sample) => sample.at - samples[0]!.at >= (SECONDS * 1000) / 3 && sample.sessions === SESSIONS);
    const growthMb = steady.length >= 2 ? mb(steady.at(-1)!.heapUsed - steady[0]!.heapUsed) : 0;
    const slopeMbPerMin = steady.length >= 3 ? mb(slope(steady.map((s) => [s.at / 60_000, s.heapUsed]))) : 0;
    const peakRss = Math.max(...samples.map((s) => s.rss), loaded.rss);
    const turnsInSteady = steady.length >= 2 ? steady.at(-1)!.answered - steady[0]!.answered : 0;
    console.log([
      `load: ${SESSIONS} sessions, ${elapsedS.toFixed(1)} s of real-time audio each (voice ${VOICE}), ${utterances} turns spoken, ${answered} answered`,
      `server CPU ${cpuS.toFixed(1)} s (${((cpuS / elapsedS) * 100).toFixed(0)} % of a core), event-loop delay p99 ${Math.max(...samples.map((s) => s.loopDelayP99Ms)).toFixed(1)} ms, max ${Math.max(...samples.map((s) => s.loopDelayMaxMs)).toFixed(0)} ms; client pacer late by ≤ ${lateMaxMs.toFixed(0)} ms`,
      `server memory (after GC): idle ${mb(baseline.heapUsed)} MB heap / ${mb(baseline.rss)} MB RSS; loaded ${mb(loaded.heapUsed)} MB heap / ${mb(loaded.rss)} MB RSS (peak RSS ${mb(peakRss)} MB); heap growth over the last two thirds ${growthMb} MB (slope ${slopeMbPerMin} MB/min, ${turnsInSteady ? Math.round((growthMb * 1024) / turnsInSteady * 10) / 10 : 0} KB per answered turn: the conversations' items); buffers ${mb(loaded.arrayBuffers)} MB; after the sessions closed ${mb(after.heapUsed)} MB heap / ${mb(after.rss)} MB RSS`,
      `heap samples (MB): ${samples.map((s) => mb(s.heapUsed)).join(' ')}`,
    ].join('\n'));

    assert.deepEqual(violations, [], 'no event-order violations');
    assert.equal(sessions.filter((s) => s.closed).length, SESSIONS, 'every session was open until the end');
    for (const session of sessions) {
      assert.ok(session.utterances >= 3, `session ${session.index} spoke ${session.utterances} times`);
      assert.equal(session.unanswered, 0, `session ${session.index}: ${session.unanswered} turns got no answer in ${NO_ANSWER_MS} ms`);
      assert.equal(session.answered, session.utterances, `session ${session.index}: ${session.answered} answers for ${session.utterances} turns`);
      assert.equal(session.checker.speechStarted, session.utterances, `session ${session.index}: one turn per sentence`);
      for (const response of session.checker.responses) {
        assert.equal(response.transcript.trim(), REPLY);
        assert.ok(response.audioBytes > 24000, 'the reply was spoken');
      }
    }
    assert.ok(peakRss < RSS_LIMIT_MB * 1024 * 1024, `server RSS peaked at ${mb(peakRss)} MB (limit ${RSS_LIMIT_MB} MB)`);
    assert.ok(growthMb < HEAP_GROWTH_LIMIT_MB, `server heap grew ${growthMb} MB over the steady part of the run`);
    assert.ok(after.heapUsed < loaded.heapUsed, 'closing the sessions gives memory back');
  } finally {
    if (pacer) clearInterval(pacer);
    if (sampler) clearInterval(sampler);
    await server.stop();
  }
});
