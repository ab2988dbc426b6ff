import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../audio';
import {
  AudioDecodeError,
  decodeAudioFile,
  decodeAudioFileDetailed,
  findFfmpeg,
  isSupportedAudioPath,
  readF32Stream,
  StreamTooLongError,
  type AudioDecodeErrorCode,
} from './decode-audio';

const tools = findFfmpeg();
const NO_FFMPEG = 'ffmpeg/ffprobe are not installed (apt-get install ffmpeg): the ffmpeg decoding tests cannot run';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'decode-audio-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Frequency of a pure tone from its zero crossings (robust to codec delay and small gain changes). */
function toneHz(x: Float32Array, sr = 16000): number {
  // Skip the edges, where encoders fade in/out.
  const a = Math.floor(x.length * 0.1);
  const b = Math.floor(x.length * 0.9);
  let crossings = 0;
  for (let i = a + 1; i < b; i++) if (x[i - 1]! < 0 !== x[i]! < 0) crossings++;
  return crossings / 2 / ((b - a) / sr);
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

function tone(hz: number, seconds: number, sr: number, amp = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / sr));
}

/** ffmpeg makes a 1-s 440 Hz stereo tone at 44.1 kHz in the given format. */
function makeTone(name: string, codecArgs: string[], seconds = 1): string {
  const out = path.join(dir, name);
  execFileSync(tools!.ffmpeg, [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-ac',
    '2',
    ...codecArgs,
    out,
  ]);
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<AudioDecodeErrorCode> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AudioDecodeError) return e.code;
    throw e;
  }
  throw new Error('expected an AudioDecodeError');
}

describe('decodeAudioFile: WAV without ffmpeg', () => {
  it('decodes a 16 kHz WAV natively to the same samples, even when ffmpeg is missing', async () => {
    const x = tone(440, 0.5, 16000);
    const f = path.join(dir, 'native.wav');
    writeFileSync(f, encodeWav(x, 16000));
    const d = await decodeAudioFileDetailed(f, { ffmpeg: '/nonexistent/ffmpeg' });
    expect(d.decoder).toBe('wav');
    expect(d.samples.length).toBe(x.length);
    let maxErr = 0;
    for (let i = 0; i < x.length; i++) maxErr = Math.max(maxErr, Math.abs(d.samples[i]! - x[i]!));
    expect(maxErr).toBeLessThan(1 / 32768 + 1e-6); // 16-bit quantisation only
  });

  it('resamples a 48 kHz WAV to 16 kHz keeping the tone', async () => {
    const f = path.join(dir, 'hi-rate.wav');
    writeFileSync(f, encodeWav(tone(440, 1, 48000), 48000));
    const y = await decodeAudioFile(f);
    expect(Math.abs(y.length - 16000)).toBeLessThanOrEqual(1);
    expect(toneHz(y)).toBeCloseTo(440, -1);
  });

  it('names apt-get install ffmpeg when a non-WAV file needs it', async () => {
    const f = path.join(dir, 'needs.mp3');
    writeFileSync(f, new Uint8Array([0xff, 0xfb, 0x90, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]));
    const err = await decodeAudioFile(f, { ffmpeg: '/nonexistent/ffmpeg' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioDecodeError);
    expect((err as AudioDecodeError).code).toBe('ffmpeg-missing');
    expect((err as AudioDecodeError).message).toContain('apt-get install ffmpeg');
  });

  it('refuses empty, missing, oversized and too-long files with their codes', async () => {
    const empty = path.join(dir, 'empty.wav');
    writeFileSync(empty, new Uint8Array(0));
    expect(await codeOf(decodeAudioFile(empty))).toBe('empty-file');
    expect(await codeOf(decodeAudioFile(path.join(dir, 'missing.wav')))).toBe('unreadable');
    const f = path.join(dir, 'two-seconds.wav');
    writeFileSync(f, encodeWav(tone(300, 2, 16000), 16000));
    expect(await codeOf(decodeAudioFile(f, { maxFileBytes: 1000 }))).toBe('file-too-large');
    expect(await codeOf(decodeAudioFile(f, { maxDurationS: 1.5 }))).toBe('too-long');
    expect((await decodeAudioFile(f, { maxDurationS: 2.5 })).length).toBe(32000);
  });

  it('calls a RIFF header with garbage after it corrupt (ffmpeg cannot rescue it either)', async () => {
    const f = path.join(dir, 'broken.wav');
    const bytes = new Uint8Array(64).fill(7);
    bytes.set(
      [...'RIFF'].map((c) => c.charCodeAt(0)),
      0,
    );
    bytes.set(
      [...'WAVE'].map((c) => c.charCodeAt(0)),
      8,
    );
    writeFileSync(f, bytes);
    const err = (await decodeAudioFile(f).catch((e: unknown) => e)) as AudioDecodeError;
    expect(err.code).toBe('corrupt');
    expect(err.message).toContain('not a readable WAV');
  });

  it('knows the extensions the app accepts, in any case', () => {
    for (const n of ['a.wav', 'b.MP3', 'c.ogg', 'd.opus', 'e.flac', 'f.m4a', 'g.webm', 'h.mp4', 'i.Mov']) {
      expect(isSupportedAudioPath(n), n).toBe(true);
    }
    for (const n of ['notes.txt', 'cover.jpg', 'wav', 'x.wav.bak']) expect(isSupportedAudioPath(n), n).toBe(false);
  });
});

describe('readF32Stream', () => {
  it('reassembles samples split at odd byte boundaries', async () => {
    const x = Float32Array.from([0.5, -0.25, 1, -1, 0.125]);
    const b = Buffer.from(x.buffer);
    const y = await readF32Stream(Readable.from([b.subarray(0, 3), b.subarray(3, 9), b.subarray(9)]), 100);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  it('stops a stream longer than the cap', async () => {
    const big = Buffer.alloc(4 * 1000);
    await expect(readF32Stream(Readable.from([big, big]), 1500)).rejects.toBeInstanceOf(StreamTooLongError);
  });
});

describe.skipIf(!tools)(`decodeAudioFile through ffmpeg${tools ? '' : ` (skipped: ${NO_FFMPEG})`}`, () => {
  const formats: [string, string[]][] = [
    ['tone.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']],
    ['tone.ogg', ['-c:a', 'libvorbis']],
    ['tone.opus', ['-c:a', 'libopus']],
    ['tone.flac', ['-c:a', 'flac']],
    ['tone.m4a', ['-c:a', 'aac']],
    ['tone.webm', ['-c:a', 'libopus']],
  ];
  for (const [name, args] of formats) {
    it(`decodes ${name} to 16 kHz mono with the tone intact`, async () => {
      const d = await decodeAudioFileDetailed(makeTone(name, args));
      expect(d.decoder).toBe('ffmpeg');
      expect(d.fromVideo).toBe(false);
      expect(d.detail).toMatch(/stereo/);
      // 1 s at 16 kHz; codecs add or trim a few ms of priming/padding.
      expect(Math.abs(d.samples.length - 16000)).toBeLessThan(1600);
      expect(toneHz(d.samples)).toBeGreaterThan(430);
      expect(toneHz(d.samples)).toBeLessThan(450);
      // lavfi's sine has amplitude 1/8; both channels carry it, so the mono mix keeps it (RMS 0.125/√2).
      expect(rms(d.samples.subarray(1600, 14400))).toBeCloseTo(0.125 / Math.SQRT2, 2);
    });
  }

  it('takes the audio track of a video and says so', async () => {
    const f = path.join(dir, 'clip.mp4');
    execFileSync(tools!.ffmpeg, [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=10:duration=1',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=600:sample_rate=48000:duration=1',
      '-c:v',
      'mpeg4',
      '-c:a',
      'aac',
      '-shortest',
      f,
    ]);
    const d = await decodeAudioFileDetailed(f);
    expect(d.fromVideo).toBe(true);
    expect(d.detail).toContain('audio track (aac) of the MP4 video');
    expect(toneHz(d.samples)).toBeGreaterThan(590);
    expect(toneHz(d.samples)).toBeLessThan(610);
  });

  it('does not take cover art in an MP3 for a video', async () => {
    const f = path.join(dir, 'with-cover.mp3');
    execFileSync(tools!.ffmpeg, [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100:duration=1',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=32x32:d=0.1',
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-frames:v',
      '1',
      '-c:a',
      'libmp3lame',
      '-c:v',
      'mjpeg',
      '-disposition:v',
      'attached_pic',
      '-id3v2_version',
      '3',
      f,
    ]);
    const d = await decodeAudioFileDetailed(f);
    expect(d.fromVideo).toBe(false);
    expect(d.detail).not.toContain('video');
    expect(toneHz(d.samples)).toBeCloseTo(440, -1);
  });

  it('refuses a video without audio as no-audio-stream', async () => {
    const f = path.join(dir, 'silent-film.mp4');
    execFileSync(tools!.ffmpeg, [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=10:duration=1',
      '-c:v',
      'mpeg4',
      f,
    ]);
    const err = (await decodeAudioFile(f).catch((e: unknown) => e)) as AudioDecodeError;
    expect(err.code).toBe('no-audio-stream');
    expect(err.message).toContain('video without an audio track');
  });

  it('calls random bytes named .mp3 corrupt and refuses a long file from its metadata', async () => {
    const f = path.join(dir, 'noise.mp3');
    writeFileSync(
      f,
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251),
    );
    expect(await codeOf(decodeAudioFile(f))).toBe('corrupt');
    const long = makeTone('long.flac', ['-c:a', 'flac'], 3);
    expect(await codeOf(decodeAudioFile(long, { maxDurationS: 2 }))).toBe('too-long');
  });
});
