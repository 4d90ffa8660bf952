#!/usr/bin/env python3
"""Offline analysis of a capture from bench/echo-capture.ts (numpy):
GCC-PHAT delay per 0.5 s window (with sub-sample refinement) between the pair kaiwa's
canceller was given (ref.raw -> mic.raw) and between the monitors (spk.raw -> micmon.raw:
the loop itself), and the coherence per band between the aligned pair.
  python3 bench/echo-analyse.py DIR [--max-ms 700]
"""
import sys
import numpy as np

RATE = 24000

def load(path):
    return np.fromfile(path, dtype='<i2').astype(np.float64)

def gcc_phat(x, y, max_lag, n):
    """Lag (samples, fractional) by which y lags x, and peak-to-rms confidence."""
    X = np.fft.rfft(x, n); Y = np.fft.rfft(y, n)
    cross = Y * np.conj(X)
    cross /= np.abs(cross) + 1e-9
    c = np.fft.irfft(cross, n)
    lags = np.concatenate([c[n - max_lag:], c[:max_lag + 1]])  # -max..+max
    i = int(np.argmax(lags))
    offset = 0.0
    if 0 < i < len(lags) - 1:
        a, b, d = lags[i - 1], lags[i], lags[i + 1]
        den = a - 2 * b + d
        if den < 0: offset = 0.5 * (a - d) / den
    conf = lags[i] / (np.sqrt(np.mean(lags ** 2)) + 1e-12)
    return i - max_lag + offset, conf

def delays(ref, mic, max_ms):
    """Per window: the delay of mic behind ref in ms, by full cross-spectrum over ref[t-max : t+win] and mic[t : t+win]."""
    max_lag = int(max_ms * RATE / 1000)
    win = int(0.5 * RATE)
    n = 1 << int(np.ceil(np.log2(2 * (win + max_lag))))
    out = []
    for start in range(max_lag, min(len(ref), len(mic)) - win, win):
        m = mic[start:start + win]
        r = ref[start - max_lag:start + win]
        if np.sqrt(np.mean(m ** 2)) < 30 or np.sqrt(np.mean(r ** 2)) < 100: continue
        # y = mic padded to align: mic[start] corresponds to r index max_lag
        mm = np.zeros(len(r)); mm[max_lag:] = m
        lag, conf = gcc_phat(r, mm, max_lag, n)
        out.append((start / RATE, 1000 * lag / RATE, conf))
    return out

def coherence(ref, mic, delay_samples, nfft=512):
    d = int(round(delay_samples))
    r = ref[:len(ref) - d] if d > 0 else ref
    m = mic[d:d + len(r)]
    r = r[:len(m)]
    hop = nfft // 2
    w = np.hanning(nfft)
    sxx = syy = sxy = 0
    for s in range(0, len(r) - nfft, hop):
        R = np.fft.rfft(w * r[s:s + nfft]); M = np.fft.rfft(w * m[s:s + nfft])
        if np.sum(np.abs(R) ** 2) < 1e6: continue
        sxx = sxx + np.abs(R) ** 2; syy = syy + np.abs(M) ** 2; sxy = sxy + M * np.conj(R)
    coh = np.abs(sxy) ** 2 / (sxx * syy + 1e-9)
    freqs = np.fft.rfftfreq(nfft, 1 / RATE)
    bands = [(100, 300), (300, 600), (600, 1000), (1000, 2000), (2000, 3000), (3000, 4000), (4000, 6000), (6000, 8000), (8000, 12000)]
    return [(lo, hi, float(np.mean(coh[(freqs >= lo) & (freqs < hi)]))) for lo, hi in bands]

def show(name, rows):
    print(f'\n{name}: delay per 0.5 s window (ms), confidence')
    for t, ms, conf in rows:
        print(f'  {t:6.1f} s  {ms:8.3f} ms  conf {conf:5.1f}')
    good = [ms for _, ms, c in rows if c > 8]
    if good:
        print(f'  confident windows {len(good)}: median {np.median(good):.3f} ms, spread {np.min(good):.3f}..{np.max(good):.3f} ms')
    return good

if __name__ == '__main__':
    d = sys.argv[1]
    max_ms = float(sys.argv[sys.argv.index('--max-ms') + 1]) if '--max-ms' in sys.argv else 700
    ref, mic = load(f'{d}/ref.raw'), load(f'{d}/mic.raw')
    good = show('kaiwa pair ref.raw -> mic.raw', delays(ref, mic, max_ms))
    if good:
        for lo, hi, c in coherence(ref, mic, np.median(good) * RATE / 1000):
            print(f'  coherence {lo:5d}-{hi:5d} Hz: {c:.3f}')
    try:
        spk, micmon = load(f'{d}/spk.raw'), load(f'{d}/micmon.raw')
        good2 = show('monitors spk.raw -> micmon.raw', delays(spk, micmon, max_ms))
        if good2:
            for lo, hi, c in coherence(spk, micmon, np.median(good2) * RATE / 1000):
                print(f'  coherence {lo:5d}-{hi:5d} Hz: {c:.3f}')
    except FileNotFoundError:
        pass
