import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transcriptionCost, transcriptionPriceFor } from '../../src/cost/transcription-pricing.js';
import { TranscriptionSpend } from '../../src/cost/transcription-spend.js';

test('per-minute models are priced by the seconds the service reports', () => {
  const price = transcriptionPriceFor('gpt-live-transcribe');
  assert.equal(price?.perMinute, 0.017);
  assert.ok(price?.source?.startsWith('https://') && price.date);
  assert.equal(transcriptionCost({ type: 'duration', seconds: 120 }, price), 0.034);
  assert.equal(transcriptionCost({ type: 'tokens', input_tokens: 10, output_tokens: 5, total_tokens: 15 }, price), undefined, 'no token rates: unknown');
});

test('token-priced models: audio in, prompt text in and text out at their own rates', () => {
  const price = transcriptionPriceFor('gpt-4o-mini-transcribe');
  const usd = transcriptionCost({ type: 'tokens', input_tokens: 1100, output_tokens: 200, total_tokens: 1300, input_token_details: { audio_tokens: 1000, text_tokens: 100 } }, price);
  assert.ok(Math.abs(usd! - (1000 * 3 + 100 * 1.25 + 200 * 5) / 1e6) < 1e-12);
  assert.equal(transcriptionCost({ type: 'tokens', input_tokens: 1100, output_tokens: 200, total_tokens: 1300 }, price), undefined, 'no audio/text split: unknown');
});

test('the summary: a cost per minute of audio, unknown for an unpriced model, free offline', () => {
  const spend = new TranscriptionSpend('gpt-live-transcribe');
  spend.add({ type: 'duration', seconds: 30 });
  spend.add({ type: 'duration', seconds: 30 });
  assert.equal(spend.describe(120_000), '$0.02 ($0.0085 per minute of audio)');
  spend.add(undefined);
  assert.match(spend.describe(120_000), /^cost unknown/);
  assert.match(new TranscriptionSpend('gpt-transcribe').describe(60_000), /^cost unknown \(no published price for gpt-transcribe/);
  assert.equal(new TranscriptionSpend('gpt-transcribe', true).describe(60_000), 'free (offline)');
});
