import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costOf, priceFor } from '../../src/cost/pricing.js';
import { checkPriceTable, BUILT_IN_PRICES } from '../../src/cost/price-table.js';
import { tokensOfUsage, ZERO_TOKENS, type TokenTotals } from '../../src/cost/token-totals.js';

/**
 * The same token bundle for every model, so each expected cost below is one line of
 * arithmetic to check by hand: text 1000 in (400 cached), audio 2000 in (1500 cached),
 * 300 text out, 600 audio out.
 */
const BUNDLE: TokenTotals = {
  ...ZERO_TOKENS,
  inputText: 1000, cachedText: 400,
  inputAudio: 2000, cachedAudio: 1500,
  outputText: 300, outputAudio: 600,
};

/** Adds 1000 image tokens in, 200 of them cached. */
const WITH_IMAGES: TokenTotals = { ...BUNDLE, inputImage: 1000, cachedImage: 200 };

function assertUsd(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined, 'expected a known cost');
  assert.ok(Math.abs(actual - expected) < 1e-12, `expected $${expected}, got $${actual}`);
}

function costFor(model: string, tokens: TokenTotals = BUNDLE): number | undefined {
  return costOf(tokens, priceFor(model));
}

describe('costOf with the built-in prices (expected values computed by hand)', () => {
  it('gpt-realtime-1.5', () => {
    // 600×4 + 400×0.4 + 500×32 + 1500×0.4 + 300×16 + 600×64
    // = 2400 + 160 + 16000 + 600 + 4800 + 38400 = 62360 µ$ → $0.06236
    assertUsd(costFor('gpt-realtime-1.5'), 0.06236);
    // + 800×5 + 200×0.5 = 4000 + 100 → 66460 → $0.06646
    assertUsd(costFor('gpt-realtime-1.5', WITH_IMAGES), 0.06646);
  });

  it('gpt-realtime-2 (text out $24)', () => {
    // 2400 + 160 + 16000 + 600 + 300×24=7200 + 38400 = 64760 → $0.06476
    assertUsd(costFor('gpt-realtime-2'), 0.06476);
    // + 4000 + 100 = 68860 → $0.06886
    assertUsd(costFor('gpt-realtime-2', WITH_IMAGES), 0.06886);
  });

  it('gpt-realtime-2.1', () => {
    // same rates as gpt-realtime-2: 64760 → $0.06476
    assertUsd(costFor('gpt-realtime-2.1'), 0.06476);
  });

  it('gpt-realtime-2.1-mini', () => {
    // 600×0.6 + 400×0.06 + 500×10 + 1500×0.3 + 300×2.4 + 600×20
    // = 360 + 24 + 5000 + 450 + 720 + 12000 = 18554 → $0.018554
    assertUsd(costFor('gpt-realtime-2.1-mini'), 0.018554);
    // + 800×0.8 + 200×0.08 = 640 + 16 → 19210 → $0.01921
    assertUsd(costFor('gpt-realtime-2.1-mini', WITH_IMAGES), 0.01921);
  });

  it('gpt-realtime and its dated snapshot', () => {
    // same rates as gpt-realtime-1.5: 62360 → $0.06236
    assertUsd(costFor('gpt-realtime'), 0.06236);
    assertUsd(costFor('gpt-realtime-2025-08-28'), 0.06236);
    // uncached images are priced: + 1000×5 = 5000 → 67360 → $0.06736
    assertUsd(costFor('gpt-realtime', { ...BUNDLE, inputImage: 1000 }), 0.06736);
    // cached images have no published rate here: unknown, not guessed
    assert.equal(costFor('gpt-realtime', WITH_IMAGES), undefined);
  });

  it('gpt-4o-realtime-preview and its 2024-12-17 snapshot', () => {
    // 600×5 + 400×2.5 + 500×40 + 1500×2.5 + 300×20 + 600×80
    // = 3000 + 1000 + 20000 + 3750 + 6000 + 48000 = 81750 → $0.08175
    assertUsd(costFor('gpt-4o-realtime-preview'), 0.08175);
    assertUsd(costFor('gpt-4o-realtime-preview-2024-12-17'), 0.08175);
  });

  it('gpt-4o-mini-realtime-preview and its 2024-12-17 snapshot', () => {
    // 600×0.6 + 400×0.3 + 500×10 + 1500×0.3 + 300×2.4 + 600×20
    // = 360 + 120 + 5000 + 450 + 720 + 12000 = 18650 → $0.01865
    assertUsd(costFor('gpt-4o-mini-realtime-preview'), 0.01865);
    assertUsd(costFor('gpt-4o-mini-realtime-preview-2024-12-17'), 0.01865);
  });

  it('prices a real response.done usage object (community forum example)', () => {
    const tokens = tokensOfUsage({
      total_tokens: 821, input_tokens: 789, output_tokens: 32,
      input_token_details: {
        text_tokens: 313, audio_tokens: 476, cached_tokens: 640,
        cached_tokens_details: { text_tokens: 256, audio_tokens: 384 },
      },
      output_token_details: { text_tokens: 9, audio_tokens: 23 },
    });
    // 57×5 + 256×2.5 + 92×40 + 384×2.5 + 9×20 + 23×80
    // = 285 + 640 + 3680 + 960 + 180 + 1840 = 7585 → $0.007585
    assertUsd(costOf(tokens, priceFor('gpt-4o-realtime-preview-2024-12-17')), 0.007585);
  });

  it('gpt-realtime-mini and its snapshots (shut down 2027-01-20, still priced)', () => {
    // the same rates as gpt-realtime-2.1-mini: 18554 → $0.018554; with images 19210 → $0.01921
    assertUsd(costFor('gpt-realtime-mini'), 0.018554);
    assertUsd(costFor('gpt-realtime-mini', WITH_IMAGES), 0.01921);
    assertUsd(costFor('gpt-realtime-mini-2025-10-06'), 0.018554);
    assertUsd(costFor('gpt-realtime-mini-2025-12-15'), 0.018554);
  });

  it("gpt-4o-realtime-preview-2024-10-01, the article's model, at its launch rates", () => {
    // 600×5 + 400×2.5 + 500×100 + 1500×20 + 300×20 + 600×200
    // = 3000 + 1000 + 50000 + 30000 + 6000 + 120000 = 210000 µ$ → $0.21
    assertUsd(costFor('gpt-4o-realtime-preview-2024-10-01'), 0.21);
    // the later snapshot keeps its own (lower) rates
    assertUsd(costFor('gpt-4o-realtime-preview-2024-12-17'), costFor('gpt-4o-realtime-preview')!);
  });

  it('gpt-audio-1.5 and gpt-audio-mini: no cached rates are published, so cached tokens leave the cost unknown', () => {
    const uncached: TokenTotals = { ...ZERO_TOKENS, inputText: 1000, inputAudio: 2000, outputText: 300, outputAudio: 600 };
    // 1000×2.5 + 2000×32 + 300×10 + 600×64 = 2500 + 64000 + 3000 + 38400 = 107900 → $0.1079
    assertUsd(costFor('gpt-audio-1.5', uncached), 0.1079);
    // 1000×0.6 + 2000×10 + 300×2.4 + 600×20 = 600 + 20000 + 720 + 12000 = 33320 → $0.03332
    assertUsd(costFor('gpt-audio-mini', uncached), 0.03332);
    assertUsd(costFor('gpt-audio-mini-2025-12-15', uncached), 0.03332);
    assert.equal(costFor('gpt-audio-1.5'), undefined);
    assert.equal(costFor('gpt-audio-mini'), undefined);
  });

  it('every priced model has a test above', () => {
    const tested = new Set(['gpt-realtime-1.5', 'gpt-realtime-2', 'gpt-realtime-2.1', 'gpt-realtime-2.1-mini',
      'gpt-realtime', 'gpt-4o-realtime-preview', 'gpt-4o-mini-realtime-preview', 'gpt-realtime-mini',
      'gpt-4o-realtime-preview-2024-10-01', 'gpt-audio-1.5', 'gpt-audio-mini']);
    assert.deepEqual(Object.keys(BUILT_IN_PRICES.models).sort(), [...tested].sort());
  });
});

describe('unknown prices stay unknown', () => {
  it('an unknown model has no price and no cost', () => {
    assert.equal(priceFor('my-azure-deployment'), undefined);
    assert.equal(costOf(BUNDLE, undefined), undefined);
    // a model the SDK lists but with no published price stays unknown
    assert.equal(priceFor('gpt-4o-realtime-preview-2025-06-03'), undefined);
  });

  it('zero tokens cost nothing, even where a rate is missing', () => {
    assert.equal(costOf(ZERO_TOKENS, priceFor('gpt-realtime')), 0);
    assert.equal(costOf(ZERO_TOKENS, { textIn: 1 }), 0);
  });

  it('never bills negative uncached tokens when the server reports more cached than total', () => {
    // uncached text clamps to 0; 50 cached × $1 = 50 µ$
    assertUsd(costOf({ ...ZERO_TOKENS, inputText: 10, cachedText: 50 }, { textIn: 10, cachedTextIn: 1 }), 0.00005);
  });
});

describe('priceFor with config overrides', () => {
  it('adds a model the table does not know', () => {
    const overrides = { 'my-deployment': { textIn: 2, cachedTextIn: 1, textOut: 8, audioIn: 20, cachedAudioIn: 1, audioOut: 40 } };
    // 600×2 + 400×1 + 500×20 + 1500×1 + 300×8 + 600×40 = 1200 + 400 + 10000 + 1500 + 2400 + 24000 = 39500 → $0.0395
    assertUsd(costOf(BUNDLE, priceFor('my-deployment', overrides)), 0.0395);
  });

  it('replaces one rate and keeps the others', () => {
    const price = priceFor('gpt-realtime-1.5', { 'gpt-realtime-1.5': { audioOut: 100 } });
    assert.equal(price?.audioOut, 100);
    assert.equal(price?.textIn, 4);
    // 62360 − 38400 + 600×100 = 83960 → $0.08396
    assertUsd(costOf(BUNDLE, price), 0.08396);
  });

  it('an override of a family reaches its dated snapshots, an override of a snapshot only that one', () => {
    assert.equal(priceFor('gpt-realtime-2025-08-28', { 'gpt-realtime': { textIn: 9 } })?.textIn, 9);
    assert.equal(priceFor('gpt-realtime-2025-08-28', { 'gpt-realtime-2025-08-28': { textIn: 7 } })?.textIn, 7);
    assert.equal(priceFor('gpt-realtime', { 'gpt-realtime-2025-08-28': { textIn: 7 } })?.textIn, 4);
  });

  it('fills a rate the table leaves out', () => {
    const price = priceFor('gpt-realtime', { 'gpt-realtime': { cachedImageIn: 0.5 } });
    // 62360 + 800×5 + 200×0.5 = 62360 + 4000 + 100 = 66460 → $0.06646
    assertUsd(costOf(WITH_IMAGES, price), 0.06646);
  });
});

describe('the price table itself', () => {
  it('every entry says where and when its price was read', () => {
    for (const [model, price] of Object.entries(BUILT_IN_PRICES.models)) {
      assert.match(price.source ?? '', /^https:\/\//, model);
      assert.match(price.date ?? '', /^\d{4}-\d{2}-\d{2}$/, model);
    }
    for (const [alias, entry] of Object.entries(BUILT_IN_PRICES.aliases)) {
      assert.match(entry.source ?? '', /^https:\/\//, alias);
    }
  });

  it('rejects a mistyped price and an alias to nothing', () => {
    assert.throws(() => checkPriceTable({ models: { m: { textIn: '4' } }, aliases: {} }), /textIn/);
    assert.throws(() => checkPriceTable({ models: {}, aliases: { a: { family: 'nope' } } }), /alias a/);
  });
});
