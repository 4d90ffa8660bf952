import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bufferToInt16,
  bytesToMs,
  hostOrderToLittleEndian,
  int16ToBuffer,
  int16View,
  isSilent,
  meanSquare,
  msToBytes,
  rmsDbfs,
  silence,
  WholeSampleChunker,
} from '../../src/audio/pcm16.js';

describe('pcm16', () => {
  it('reads little-endian samples from a Buffer that starts at an odd byte offset', () => {
    const backing = Buffer.from([0xaa, 0x01, 0x00, 0xff, 0x7f, 0x00, 0x80]);
    const unaligned = backing.subarray(1);
    assert.equal(unaligned.byteOffset % 2, 1);
    assert.deepEqual([...bufferToInt16(unaligned)], [1, 32767, -32768]);
  });

  it('round-trips every Int16 value through a Buffer as little-endian bytes', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i - 32768;
    const buf = int16ToBuffer(all);
    assert.equal(buf.readInt16LE(0), -32768);
    assert.equal(buf.readInt16LE(buf.length - 2), 32767);
    assert.deepEqual(bufferToInt16(buf), all);
  });

  it('writes only the viewed part of an Int16Array that is a subarray', () => {
    const whole = Int16Array.from([1, 2, 3, 4]);
    assert.deepEqual([...bufferToInt16(int16ToBuffer(whole.subarray(1, 3)))], [2, 3]);
  });

  it('views a Buffer at an even byte offset without copying it, and copies one at an odd offset', () => {
    const even = Buffer.from([0x99, 0x42, 0xff, 0x7f, 0x00, 0x80]).subarray(2);
    const viewed = int16View(even);
    assert.deepEqual([...viewed], [32767, -32768]);
    even.writeInt16LE(-5, 0);
    assert.equal(viewed[0], -5, 'the view is the Buffer\'s own memory');
    const odd = Buffer.from([0x99, 0xff, 0x7f, 0x00, 0x80]).subarray(1);
    assert.equal(odd.byteOffset % 2, 1);
    const copied = int16View(odd);
    assert.deepEqual([...copied], [32767, -32768]);
    odd.writeInt16LE(9, 0);
    assert.equal(copied[0], 32767, 'an odd offset cannot be viewed: a copy');
    assert.throws(() => int16View(Buffer.alloc(4).subarray(0, 3)), RangeError);
  });

  it('leaves host-order PCM16 as it is on a little-endian host, swaps it otherwise', () => {
    const samples = Int16Array.from([1, -2, 300]);
    const bytes = hostOrderToLittleEndian(Buffer.from(samples.buffer.slice(0)));
    assert.deepEqual([bytes.readInt16LE(0), bytes.readInt16LE(2), bytes.readInt16LE(4)], [1, -2, 300]);
  });

  it('rejects an odd number of bytes instead of inventing half a sample', () => {
    assert.throws(() => bufferToInt16(Buffer.alloc(3)), RangeError);
  });

  it('converts between bytes and milliseconds at the given rate, always to whole samples', () => {
    assert.equal(bytesToMs(48000, 24000), 1000);
    assert.equal(bytesToMs(320, 8000), 20);
    assert.equal(msToBytes(20, 24000), 960);
    assert.equal(msToBytes(20, 8000), 320);
    for (const ms of [0.01, 0.7, 1, 3.3, 12.5, 33.3333]) {
      for (const rate of [8000, 22050, 24000, 44100]) assert.equal(msToBytes(ms, rate) % 2, 0, `${ms} ms @ ${rate}`);
    }
  });

  it('makes zeroed silence of the requested length', () => {
    const buf = silence(20, 24000);
    assert.equal(buf.length, 960);
    assert.ok(buf.every((byte) => byte === 0));
  });

  it('measures level in dBFS: full-scale square 0, full-scale sine about -3, zeros -Infinity', () => {
    const square = int16ToBuffer(Int16Array.from({ length: 480 }, (_, i) => (i % 2 ? 32767 : -32768)));
    assert.ok(Math.abs(rmsDbfs(square)) < 0.01);
    const sine = int16ToBuffer(Int16Array.from({ length: 2400 }, (_, i) => Math.round(32767 * Math.sin((2 * Math.PI * i) / 24))));
    assert.ok(Math.abs(rmsDbfs(sine) + 3.01) < 0.05, String(rmsDbfs(sine)));
    const tenth = int16ToBuffer(Int16Array.from({ length: 480 }, (_, i) => (i % 2 ? 3277 : -3277)));
    assert.ok(Math.abs(rmsDbfs(tenth) + 20) < 0.01);
    assert.equal(rmsDbfs(silence(20, 24000)), -Infinity);
    assert.equal(rmsDbfs(Buffer.alloc(0)), -Infinity);
  });

  it('measures the same mean square at any byte offset, ignoring a trailing odd byte', () => {
    const backing = Buffer.from([0x00, 0x10, 0x00, 0xf0, 0xff, 0x05, 0x00, 0x7f]);
    const aligned = backing.subarray(0, 6);
    const unaligned = Buffer.concat([Buffer.from([0x99]), aligned, Buffer.from([0x42])]).subarray(1);
    assert.equal(unaligned.byteOffset % 2, 1);
    const expected = (4096 ** 2 + 4096 ** 2 + 1535 ** 2) / 3;
    assert.equal(meanSquare(aligned), expected);
    assert.equal(meanSquare(unaligned), expected);
    assert.equal(meanSquare(Buffer.from([0x01])), 0);
  });

  it('calls quiet hiss silent but not speech-level audio', () => {
    const hiss = int16ToBuffer(Int16Array.from({ length: 480 }, (_, i) => (i % 2 ? 10 : -10)));
    const speechLevel = int16ToBuffer(Int16Array.from({ length: 480 }, (_, i) => (i % 2 ? 3000 : -3000)));
    assert.equal(isSilent(silence(20, 24000)), true);
    assert.equal(isSilent(hiss), true);
    assert.equal(isSilent(speechLevel), false);
    assert.equal(isSilent(hiss, -80), false);
  });

  it('re-aligns pipe chunks that split a sample in half', () => {
    const source = int16ToBuffer(Int16Array.from([100, -200, 300, -400, 500]));
    const chunker = new WholeSampleChunker();
    const pieces = [source.subarray(0, 3), source.subarray(3, 4), source.subarray(4, 7), source.subarray(7)];
    const out = pieces.map((piece) => chunker.push(piece));
    for (const piece of out) assert.equal(piece.length % 2, 0);
    assert.deepEqual(Buffer.concat(out), source);
    assert.equal(chunker.hasPartialSample, false);
    chunker.push(Buffer.from([1]));
    assert.equal(chunker.hasPartialSample, true);
  });
});
