#!/usr/bin/env python3
"""Debian's libspeexdsp on kaiwa's synthetic echo scenes (bench/speexdsp-scenes.ts), to
compare with kaiwa's own canceller: the reference delayed by the true path delay less
10 ms (perfect alignment, which speexdsp does not do itself), a 128 ms filter, 10 ms
frames at 24 kHz, with and without its preprocessor's residual echo suppression.
Prints attenuation from 3 s after the echo starts and CPU per second of audio.
  python3 bench/speexdsp-compare.py DIR
"""
import ctypes, sys, time, array, math, os

lib = ctypes.CDLL('libspeexdsp.so.1')
lib.speex_echo_state_init.restype = ctypes.c_void_p
lib.speex_preprocess_state_init.restype = ctypes.c_void_p
RATE, FRAME = 24000, 240
SET_SAMPLING_RATE, SET_ECHO_STATE = 24, 24  # SPEEX_ECHO_SET_SAMPLING_RATE, SPEEX_PREPROCESS_SET_ECHO_STATE

def run(mic, ref, delay, suppress):
    echo = lib.speex_echo_state_init(FRAME, int(0.128 * RATE))
    rate = ctypes.c_int(RATE)
    lib.speex_echo_ctl(ctypes.c_void_p(echo), SET_SAMPLING_RATE, ctypes.byref(rate))
    pre = None
    if suppress:
        pre = lib.speex_preprocess_state_init(FRAME, RATE)
        lib.speex_preprocess_ctl(ctypes.c_void_p(pre), SET_ECHO_STATE, ctypes.c_void_p(echo))
    shift = max(0, delay - int(0.010 * RATE))
    aligned = array.array('h', bytes(2 * shift)) + ref[:len(ref) - shift]
    out = array.array('h', bytes(2 * len(mic)))
    Frame = ctypes.c_int16 * FRAME
    o = Frame()
    frames = [(Frame(*mic[at:at + FRAME]), Frame(*aligned[at:at + FRAME])) for at in range(0, len(mic) - FRAME + 1, FRAME)]
    echo_p = ctypes.c_void_p(echo); pre_p = ctypes.c_void_p(pre) if pre else None
    cpu = 0.0
    for index, (m, r) in enumerate(frames):
        # Only the library's time counts: Python's own per-frame work is not what a binding would cost.
        started = time.process_time()
        lib.speex_echo_cancellation(echo_p, m, r, o)
        if pre_p:
            lib.speex_preprocess_run(pre_p, o)
        cpu += time.process_time() - started
        out[index * FRAME:(index + 1) * FRAME] = array.array('h', bytes(o))
    return out, cpu

def energy(x, a, b):
    return sum(v * v for v in x[a:b])

directory = sys.argv[1]
print('| delay | gain | speexdsp aligned | + preprocessor suppression | CPU (% of a core, with suppression) |')
print('|---|---|---|---|---|')
for delay_ms in (60, 150, 300, 500):
    for gain in (20, 6, 0):
        name = os.path.join(directory, f'{delay_ms}_{gain}')
        mic = array.array('h'); mic.frombytes(open(name + '.mic', 'rb').read())
        ref = array.array('h'); ref.frombytes(open(name + '.ref', 'rb').read())
        delay = delay_ms * RATE // 1000
        start, end = delay + 3 * RATE, len(mic) - int(0.3 * RATE)
        cells = []
        for suppress in (False, True):
            out, cpu = run(mic, ref, delay, suppress)
            cells.append(10 * math.log10(energy(mic, start, end) / max(energy(out, start, end), 1)))
        print(f'| {delay_ms} ms | -{gain} dB | {cells[0]:.1f} dB | {cells[1]:.1f} dB | {100 * cpu / (len(mic) / RATE):.2f} % |')
