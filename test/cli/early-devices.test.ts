/**
 * What the entry point reads from the command line (and the config file) before anything
 * else loads: whether a voice conversation will record the microphone, so SoX can start
 * at once. When in doubt it says no.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { earlyDevicesFor } from '../../src/cli/early-devices.js';

const noConfig = (): string => {
  throw Object.assign(new Error('no file'), { code: 'ENOENT' });
};
const config = (settings: object) => (): string => JSON.stringify(settings);

describe('earlyDevicesFor', () => {
  it('a conversation records the microphone and plays to the speaker, at the wire format\'s rate', () => {
    assert.deepEqual(earlyDevicesFor([], noConfig), { sampleRate: 24000, speaker: true });
    assert.deepEqual(earlyDevicesFor(['--url', 'ws://127.0.0.1:1/v1', '--text', 'hi'], noConfig), { sampleRate: 24000, speaker: true });
    assert.deepEqual(earlyDevicesFor(['--audio-format', 'g711-ulaw'], noConfig), { sampleRate: 8000, speaker: true });
    assert.deepEqual(earlyDevicesFor(['--audio-format=pcm16-16k'], noConfig), { sampleRate: 16000, speaker: true });
  });

  it('no speaker with --no-speaker or text answers', () => {
    assert.deepEqual(earlyDevicesFor(['--no-speaker'], noConfig), { sampleRate: 24000, speaker: false });
    assert.deepEqual(earlyDevicesFor(['--modalities', 'text'], noConfig), { sampleRate: 24000, speaker: false });
  });

  it('nothing for commands that print and exit, other commands, or no microphone', () => {
    for (const args of [
      ['--version'], ['-V'], ['--help'], ['-h'], ['help'], ['serve'], ['transcribe'], ['replay', 'dir'],
      ['--no-mic'], ['--input', 'question.wav'], ['--input=question.wav'], ['--text', 'hi', '--once'], ['--once', '--text=hi'],
      ['--audio-format', 'mp3'],
    ]) assert.equal(earlyDevicesFor(args, noConfig), undefined, args.join(' '));
  });

  it('nothing when the config file may change the devices, cannot be read, or is not JSON', () => {
    assert.equal(earlyDevicesFor([], config({ mic: false })), undefined);
    assert.equal(earlyDevicesFor([], config({ input: 'q.wav' })), undefined);
    assert.equal(earlyDevicesFor([], config({ audioFormat: 'g711-alaw' })), undefined);
    assert.equal(earlyDevicesFor([], () => '{ not json'), undefined);
    assert.equal(earlyDevicesFor([], () => { throw Object.assign(new Error('denied'), { code: 'EACCES' }); }), undefined);
    // An explicit --config that is missing is the session's to report.
    assert.equal(earlyDevicesFor(['--config', '/nowhere/kaiwa.json'], noConfig), undefined);
  });

  it('a config file about other things leaves the devices as the command line says; --config is the file read', () => {
    const read: string[] = [];
    const devices = earlyDevicesFor(['--config', '/etc/kaiwa.json'], (path) => {
      read.push(path);
      return JSON.stringify({ model: 'gpt-realtime', voice: 'marin' });
    });
    assert.deepEqual(devices, { sampleRate: 24000, speaker: true });
    assert.deepEqual(read, ['/etc/kaiwa.json']);
  });
});
