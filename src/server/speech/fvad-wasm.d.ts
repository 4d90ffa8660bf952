/**
 * Types for @echogarden/fvad-wasm, which ships none: libfvad (WebRTC's voice activity
 * detector) compiled by Emscripten. Only the parts kaiwa calls are declared.
 */
declare module '@echogarden/fvad-wasm' {
  export interface FvadModule {
    /** Returns a handle (a pointer into wasm memory), or 0 when out of memory. */
    _fvad_new(): number;
    _fvad_free(handle: number): void;
    /** 0 on success, -1 for a mode outside 0..3. */
    _fvad_set_mode(handle: number, mode: number): number;
    /** 0 on success, -1 for a rate other than 8000, 16000, 32000 or 48000. */
    _fvad_set_sample_rate(handle: number, sampleRate: number): number;
    /** 1 speech, 0 no speech, -1 for a frame that is not 10, 20 or 30 ms long. */
    _fvad_process(handle: number, framePointer: number, sampleCount: number): number;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    readonly HEAP16: Int16Array;
  }

  export default function createFvadModule(overrides?: object): Promise<FvadModule>;
}
