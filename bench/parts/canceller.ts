/**
 * `--only canceller` (h): CPU of kaiwa's in-process echo canceller per real-time second,
 * in its own process (bench/clients/echo-canceller.ts): the far end talking all the time
 * (the worst case) and nothing played.
 */
import { runClient } from '../lib/child.js';
import { median } from '../lib/stats.js';
import type { BenchContext } from '../lib/context.js';
import type { EchoCancellerBenchResult } from '../clients/echo-canceller.js';

export async function canceller(context: BenchContext): Promise<void> {
  const { fmt, row, quick, raw } = context;
  const result = await runClient<EchoCancellerBenchResult>('echo-canceller', { rounds: quick ? 2 : 5 });
  const best = Math.min(...result.farEndPercent);
  row('(h) in-process echo canceller CPU, far end talking all the time (24 kHz), best / median',
    `${fmt(best)} / ${fmt(median(result.farEndPercent))} % of a core (${result.farEndPercent.length} × ${fmt(result.audioSeconds, 0)} s); nothing played: ${fmt(median(result.idlePercent))} %`, '≤ 1 % of a core', best <= 1);
  row('    same run: echo removed from 3 s on (300 ms, -6 dB room)', `${fmt(result.attenuationDb, 1)} dB, delay found ${fmt(result.delayMs ?? NaN, 1)} ms`);
  row('    with halfRate (12 kHz inside the stream; not the default: double talk 87–88 %), best / median',
    `${fmt(Math.min(...result.halfRatePercent))} / ${fmt(median(result.halfRatePercent))} % of a core; ${fmt(result.halfRateAttenuationDb, 1)} dB removed`);
  raw.canceller = result;
}
