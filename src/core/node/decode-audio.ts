/**
 * Any audio (or video) file the app accepts → 16 kHz mono Float32Array, in Node. WAV is decoded by our own decoder
 * and resampler (the same code as the app); everything else (MP3, OGG/Vorbis, OGG/Opus, FLAC, M4A/AAC, WebM, the
 * audio track of MP4/MOV/MKV videos) by Debian's ffmpeg, streamed as f32le on stdout so no temp file is written.
 *
 *   const samples = await decodeAudioFile('talk.mp3');           // Float32Array, 16 kHz mono
 *   const { samples, detail, fromVideo } = await decodeAudioFileDetailed('clip.mp4');
 *
 * Failures are AudioDecodeError with a stable `code` and a sentence for the user. Limits are the app's
 * (MAX_FILE_BYTES, MAX_DURATION_S). Silence and too-short clips are not judged here (callers run validateSamples):
 * evaluation scripts may legitimately want them.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { MAX_DURATION_S, MAX_FILE_BYTES, SAMPLE_RATE, WavError, decodeWav, formatDuration, to16kMono } from '../audio';

export type AudioDecodeErrorCode =
  /** missing, a directory, or not readable */
  | 'unreadable'
  | 'empty-file'
  | 'file-too-large'
  | 'too-long'
  /** neither our WAV decoder nor ffmpeg could make audio of it */
  | 'corrupt'
  /** a container (typically a video) without any audio stream */
  | 'no-audio-stream'
  /** not WAV, and ffmpeg/ffprobe are not installed */
  | 'ffmpeg-missing';

export class AudioDecodeError extends Error {
  override name = 'AudioDecodeError';
  constructor(
    readonly code: AudioDecodeErrorCode,
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

export interface DecodedAudioFile {
  /** 16 kHz mono in [-1, 1] (ffmpeg output is not clipped: lossy decoders can overshoot slightly) */
  samples: Float32Array;
  /** where it came from, for logs: "MP3, 44.1 kHz, stereo" */
  detail: string;
  decoder: 'wav' | 'ffmpeg';
  /** the file also holds a video stream; only its first audio track was taken */
  fromVideo: boolean;
}

export interface DecodeAudioOptions {
  /** ffmpeg binary; default: `ffmpeg` found on PATH */
  ffmpeg?: string;
  /** ffprobe binary; default: next to ffmpeg, else on PATH */
  ffprobe?: string;
  /** default MAX_DURATION_S (the app's limit) */
  maxDurationS?: number;
  /** default MAX_FILE_BYTES (the app's limit) */
  maxFileBytes?: number;
}

/** Extensions the app's file picker offers (src/ui/protect/ClipInput.tsx) plus the video containers it takes audio from. */
export const AUDIO_EXTENSIONS = ['wav', 'wave', 'mp3', 'ogg', 'oga', 'opus', 'flac', 'm4a', 'aac', 'webm'] as const;
export const VIDEO_EXTENSIONS = ['mp4', 'm4v', 'mov', 'mkv', 'avi', 'ogv'] as const;
const SUPPORTED = new Set<string>([...AUDIO_EXTENSIONS, ...VIDEO_EXTENSIONS]);

/** Lower-case extension without the dot ('' when none). */
export function extensionOf(file: string): string {
  const ext = path.extname(file);
  return ext ? ext.slice(1).toLowerCase() : '';
}

export function isSupportedAudioPath(file: string): boolean {
  return SUPPORTED.has(extensionOf(file));
}

export const FFMPEG_INSTALL_HINT = 'install it with `sudo apt-get install ffmpeg` (WAV files work without it)';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

function executable(p: string): boolean {
  try {
    accessSync(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  if (name.includes(path.sep)) return executable(name) ? name : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** The ffmpeg and ffprobe binaries, or null when either is missing (both come with Debian's `ffmpeg` package). */
export function findFfmpeg(opts: Pick<DecodeAudioOptions, 'ffmpeg' | 'ffprobe'> = {}): FfmpegTools | null {
  const ffmpeg = onPath(opts.ffmpeg ?? 'ffmpeg');
  if (!ffmpeg) return null;
  const sibling = path.join(path.dirname(ffmpeg), 'ffprobe');
  const ffprobe = opts.ffprobe ? onPath(opts.ffprobe) : executable(sibling) ? sibling : onPath('ffprobe');
  return ffprobe ? { ffmpeg, ffprobe } : null;
}

function channelsText(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} ch`;
}

function rateText(hz: number): string {
  return `${(hz / 1000).toLocaleString('en', { maximumFractionDigits: 2 })} kHz`;
}

function isWavHeader(head: Uint8Array): boolean {
  const s = (a: number, b: number) => String.fromCharCode(...head.subarray(a, b));
  return head.length >= 12 && s(0, 4) === 'RIFF' && s(8, 12) === 'WAVE';
}

/** Decodes any supported file to 16 kHz mono. Throws AudioDecodeError. */
export async function decodeAudioFile(file: string, opts: DecodeAudioOptions = {}): Promise<Float32Array> {
  return (await decodeAudioFileDetailed(file, opts)).samples;
}

/** decodeAudioFile plus what the file was (format, rate, channels, whether the audio came out of a video). */
export async function decodeAudioFileDetailed(file: string, opts: DecodeAudioOptions = {}): Promise<DecodedAudioFile> {
  const maxBytes = opts.maxFileBytes ?? MAX_FILE_BYTES;
  const maxDurationS = opts.maxDurationS ?? MAX_DURATION_S;
  const name = path.basename(file);
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new AudioDecodeError('unreadable', `“${name}” is not a file.`, file);
    size = st.size;
  } catch (e) {
    if (e instanceof AudioDecodeError) throw e;
    throw new AudioDecodeError('unreadable', `“${name}” cannot be read: ${(e as Error).message}`, file);
  }
  if (size === 0) throw new AudioDecodeError('empty-file', `“${name}” is empty (0 bytes).`, file);
  if (size > maxBytes) {
    throw new AudioDecodeError(
      'file-too-large',
      `“${name}” is ${(size / 1048576).toFixed(0)} MB; files up to ${(maxBytes / 1048576).toFixed(0)} MB are accepted.`,
      file,
    );
  }

  let wavProblem: string | null = null;
  // Only the header is read up front: compressed files go to ffmpeg, which reads them itself.
  if (isWavHeader(await readBytes(file, 12))) {
    try {
      const wav = decodeWav(await readBytes(file, size));
      const seconds = (wav.channels[0]?.length ?? 0) / wav.sampleRate;
      if (seconds > maxDurationS) throw tooLong(name, seconds, maxDurationS, file);
      return {
        samples: to16kMono(wav.channels, wav.sampleRate),
        detail: `WAV, ${rateText(wav.sampleRate)}, ${channelsText(wav.channels.length)}`,
        decoder: 'wav',
        fromVideo: false,
      };
    } catch (e) {
      if (!(e instanceof WavError)) throw e;
      // Encodings our decoder does not read (µ-law, ADPCM, …) are still WAV files ffmpeg can decode.
      wavProblem = e.message;
    }
  }

  const tools = findFfmpeg(opts);
  if (!tools) {
    if (wavProblem) throw new AudioDecodeError('corrupt', `“${name}” is not a readable WAV file: ${wavProblem}.`, file);
    throw new AudioDecodeError(
      'ffmpeg-missing',
      `“${name}” is not WAV; decoding ${extensionOf(file).toUpperCase() || 'it'} needs ffmpeg, which was not found: ${FFMPEG_INSTALL_HINT}.`,
      file,
    );
  }
  try {
    return await decodeWithFfmpeg(file, tools, maxDurationS);
  } catch (e) {
    if (e instanceof AudioDecodeError && e.code === 'corrupt' && wavProblem) {
      throw new AudioDecodeError('corrupt', `“${name}” is not a readable WAV file: ${wavProblem}.`, file);
    }
    throw e;
  }
}

/** The first `size` bytes of a file (fewer if it is shorter). */
async function readBytes(file: string, size: number): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const out = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(out, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === size ? out : out.subarray(0, off);
  } finally {
    await fh.close();
  }
}

function tooLong(name: string, seconds: number, maxDurationS: number, file: string, atLeast = false): AudioDecodeError {
  return new AudioDecodeError(
    'too-long',
    `“${name}” is ${atLeast ? 'over ' : ''}${formatDuration(seconds)} long; the limit is ${formatDuration(maxDurationS)}. Trim it first.`,
    file,
  );
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  disposition?: { attached_pic?: number };
}

interface ProbeResult {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string };
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-8192)));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** Last meaningful line of ffmpeg's stderr, for messages. */
function lastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length ? lines[lines.length - 1]! : 'no error output';
}

async function decodeWithFfmpeg(file: string, tools: FfmpegTools, maxDurationS: number): Promise<DecodedAudioFile> {
  const name = path.basename(file);
  // ffprobe first: it tells audio from video-only files and refuses a 2-hour file before decoding a sample of it.
  const probe = await run(tools.ffprobe, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_entries',
    'stream=codec_type,codec_name,sample_rate,channels:stream_disposition=attached_pic:format=format_name,duration',
    '--',
    file,
  ]);
  if (probe.code !== 0) {
    throw new AudioDecodeError(
      'corrupt',
      `“${name}” could not be decoded as audio: the file is corrupt or not a media file (${lastLine(probe.stderr)}).`,
      file,
    );
  }
  let info: ProbeResult;
  try {
    info = JSON.parse(probe.stdout.toString('utf8')) as ProbeResult;
  } catch {
    throw new AudioDecodeError(
      'corrupt',
      `“${name}” could not be decoded as audio (ffprobe gave no readable answer).`,
      file,
    );
  }
  const streams = info.streams ?? [];
  const audio = streams.filter((s) => s.codec_type === 'audio');
  // Cover art in MP3/M4A shows up as a one-frame video stream; it does not make the file a video.
  const fromVideo = streams.some((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (audio.length === 0) {
    throw new AudioDecodeError(
      'no-audio-stream',
      fromVideo ? `“${name}” is a video without an audio track.` : `“${name}” contains no audio stream.`,
      file,
    );
  }
  const duration = Number(info.format?.duration);
  if (Number.isFinite(duration) && duration > maxDurationS) throw tooLong(name, duration, maxDurationS, file);

  const first = audio[0]!;
  // ffprobe names one demuxer for a family ("mov,mp4,m4a,3gp,…"): the file's own extension is the clearer name.
  const names = (info.format?.format_name ?? '').split(',').filter(Boolean);
  const ext = extensionOf(file);
  const container = (names.includes(ext) || names.length === 0 ? ext : names[0]!).toUpperCase();
  const rate = Number(first.sample_rate);
  const parts = [
    fromVideo
      ? `audio track (${first.codec_name ?? '?'}) of the ${container} video`
      : `${(first.codec_name ?? container).toUpperCase()}`,
    Number.isFinite(rate) && rate > 0 ? rateText(rate) : null,
    first.channels ? channelsText(first.channels) : null,
    audio.length > 1 ? `first of ${audio.length} audio tracks` : null,
  ];
  const args = [
    '-nostdin',
    '-hide_banner',
    '-v',
    'error',
    '-i',
    file,
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    '-ac',
    '1',
    '-ar',
    String(SAMPLE_RATE),
    '-f',
    'f32le',
    '-acodec',
    'pcm_f32le',
    'pipe:1',
  ];
  const child = spawn(tools.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8192)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  // Metadata can be missing or wrong (MediaRecorder WebM has no duration), so the stream itself is capped too.
  const maxSamples = Math.ceil((maxDurationS + 1) * SAMPLE_RATE);
  let samples: Float32Array;
  try {
    samples = await readF32Stream(child.stdout, maxSamples);
  } catch (e) {
    child.kill('SIGKILL');
    await exited.catch(() => null);
    if (e instanceof StreamTooLongError) throw tooLong(name, e.seconds, maxDurationS, file, true);
    throw e;
  }
  const code = await exited;
  if (code !== 0) {
    throw new AudioDecodeError('corrupt', `“${name}” could not be decoded as audio: ${lastLine(stderr)}.`, file);
  }
  return { samples, detail: parts.filter((p) => p !== null).join(', '), decoder: 'ffmpeg', fromVideo };
}

export class StreamTooLongError extends Error {
  override name = 'StreamTooLongError';
  constructor(readonly seconds: number) {
    super(`stream longer than ${seconds.toFixed(1)} s`);
  }
}

/**
 * Collects little-endian float32 samples from a stream, refusing (StreamTooLongError) as soon as more than
 * `maxSamples` arrive, so a lying container cannot fill memory. A trailing partial sample is dropped.
 */
export async function readF32Stream(stream: Readable, maxSamples: number): Promise<Float32Array> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxSamples * 4) throw new StreamTooLongError(bytes / 4 / SAMPLE_RATE);
    chunks.push(chunk);
  }
  const n = Math.floor(bytes / 4);
  const out = new Float32Array(n);
  // Copy through a byte view: a Buffer's offset in Node's pool need not be 4-byte aligned.
  const dst = new Uint8Array(out.buffer);
  let off = 0;
  for (const c of chunks) {
    const take = Math.min(c.length, n * 4 - off);
    if (take <= 0) break;
    dst.set(c.subarray(0, take), off);
    off += take;
  }
  return out;
}
