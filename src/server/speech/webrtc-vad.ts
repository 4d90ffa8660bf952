/**
 * WebRTC's voice activity detector (libfvad as wasm): a per-frame speech/no-speech
 * decision from a small Gaussian-mixture model of speech and noise that adapts to
 * the noise as it goes. Chosen over Silero VAD because it is synchronous (the
 * SpeechDetector contract is a sync push) and needs no native onnxruntime download.
 */
import createFvadModule from '@echogarden/fvad-wasm';

/**
 * The wasm exports kaiwa uses (documented in fvad-wasm.d.ts). Restated here so emitted
 * declarations don't depend on that ambient file, which is not shipped in dist.
 */
export interface FvadApi {
  _fvad_new(): number;
  _fvad_free(handle: number): void;
  _fvad_set_mode(handle: number, mode: number): number;
  _fvad_set_sample_rate(handle: number, sampleRate: number): number;
  _fvad_process(handle: number, framePointer: number, sampleCount: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  readonly HEAP16: Int16Array;
}

/** 0 = least aggressive (more frames called speech) … 3 = most aggressive. */
export type VadMode = 0 | 1 | 2 | 3;

/** The rates libfvad accepts; anything else must be resampled first. */
export const WEBRTC_VAD_RATES: readonly number[] = [8000, 16000, 32000, 48000];

/** Short frames give 10 ms boundary resolution; libfvad also takes 20 and 30 ms. */
export const VAD_FRAME_MS = 10;

let modulePromise: Promise<FvadApi> | undefined;

/** Instantiates the wasm once per process; every detector shares it. */
export function loadWebRtcVadModule(): Promise<FvadApi> {
  modulePromise ??= createFvadModule();
  return modulePromise;
}

interface WasmAllocation {
  module: FvadApi;
  handle: number;
  frame: number;
}

/**
 * SpeechDetector has no close(), so wasm memory would leak with every session; the
 * registry frees it once the detector that owns it is garbage collected.
 */
const wasmMemory = new FinalizationRegistry<WasmAllocation>(freeAllocation);

function freeAllocation({ module, handle, frame }: WasmAllocation): void {
  module._free(frame);
  module._fvad_free(handle);
}

export class WebRtcVad {
  readonly frameSamples: number;
  private readonly allocation: WasmAllocation;
  private disposed = false;

  constructor(private readonly module: FvadApi, readonly sampleRate: number, mode: VadMode) {
    if (!WEBRTC_VAD_RATES.includes(sampleRate)) throw new RangeError(`WebRTC VAD cannot run at ${sampleRate} Hz`);
    this.frameSamples = (sampleRate * VAD_FRAME_MS) / 1000;
    const handle = module._fvad_new();
    if (handle === 0) throw new Error('WebRTC VAD: out of wasm memory');
    module._fvad_set_mode(handle, mode);
    module._fvad_set_sample_rate(handle, sampleRate);
    this.allocation = { module, handle, frame: module._malloc(this.frameSamples * 2) };
    wasmMemory.register(this, this.allocation, this);
  }

  /** Takes exactly frameSamples samples. */
  isSpeech(frame: Int16Array): boolean {
    if (this.disposed) throw new Error('WebRTC VAD used after dispose()');
    if (frame.length !== this.frameSamples) throw new RangeError(`expected ${this.frameSamples} samples, got ${frame.length}`);
    const { handle, frame: pointer } = this.allocation;
    // HEAP16 is re-read on every call: a wasm memory growth replaces the view.
    this.module.HEAP16.set(frame, pointer >> 1);
    return this.module._fvad_process(handle, pointer, frame.length) === 1;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    wasmMemory.unregister(this);
    freeAllocation(this.allocation);
  }
}
