/** Where voices and a far end's speech both live, and where they are told apart: 300–3400 Hz. */
const LOW_HZ = 300;
const HIGH_HZ = 3400;

/** The first and last bins of the speech band in a real FFT of `2 · blockSize` points. */
export function speechBandBins(blockSize: number, sampleRate: number): { low: number; high: number } {
  const hzPerBin = sampleRate / (2 * blockSize);
  return { low: Math.max(1, Math.round(LOW_HZ / hzPerBin)), high: Math.min(blockSize, Math.round(HIGH_HZ / hzPerBin)) };
}
