import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snrDb } from '../../src/core/analysis';
import { decodeWav, encodeWav } from '../../src/core/audio';
import { EMOTIONS } from '../../src/core/data/emotions';
import { wer } from '../../src/core/metrics/scores';
import { decodeAudioFile, findFfmpeg } from '../../src/core/node/decode-audio';
import { parseProtectArgs, runProtect, UsageError } from './cli';
import type { ProtectReport } from './report';

const ffmpeg = findFfmpeg();
let root: string;
let inDir: string;

/** Every file under dir (hidden ones too) with its SHA-256. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  visit(dir);
  return out;
}

/** 1 s of a voiced-sounding signal: a 140 Hz harmonic series with a syllable-rate envelope. */
function voice(seconds: number, sr = 16000): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => {
    const t = i / sr;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * 140 * h * t + h) / h;
    return 0.25 * v * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t));
  });
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProtect(argv, { io: { log: (l) => out.push(l), error: (l) => err.push(l) } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'protect-cli-'));
  inDir = path.join(root, 'in');
  mkdirSync(path.join(inDir, 'sub'), { recursive: true });
  writeFileSync(path.join(inDir, 'a.wav'), encodeWav(voice(1), 16000));
  if (ffmpeg) {
    // An MP3 at 44.1 kHz stereo, as users have them: decoding and resampling go through ffmpeg.
    const src = path.join(root, 'src.wav');
    writeFileSync(src, encodeWav(voice(1.2), 16000));
    execFileSync(ffmpeg.ffmpeg, [
      '-nostdin',
      '-v',
      'error',
      '-i',
      src,
      '-ar',
      '44100',
      '-ac',
      '2',
      '-c:a',
      'libmp3lame',
      path.join(inDir, 'sub', 'b.mp3'),
    ]);
  }
  writeFileSync(path.join(inDir, 'empty.wav'), new Uint8Array(0));
  writeFileSync(path.join(inDir, 'quiet.wav'), encodeWav(new Float32Array(16000), 16000));
  writeFileSync(path.join(inDir, 'sub', 'broken.ogg'), 'OggS but not really an Ogg stream');
  writeFileSync(path.join(inDir, 'notes.txt'), 'not audio');
  writeFileSync(path.join(inDir, '.hidden.wav'), encodeWav(voice(0.5), 16000));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npm run protect (in-process)', () => {
  it(`protects a folder${ffmpeg ? ' with a WAV and an MP3' : ' (WAV only: ffmpeg is not installed, so the MP3 part is skipped)'}, leaves the originals byte-identical and reports`, async () => {
    const before = snapshot(inDir);
    const out = path.join(root, 'out');
    const json = path.join(root, 'report.json');
    const budget = 12;
    const r = await run([inDir, '--out', out, '--budget', String(budget), '--report', '--json', json]);
    // Some audio files (empty, silent, corrupt) were skipped, so the status says "not everything".
    expect(r.code, r.err).toBe(1);
    expect(snapshot(inDir)).toEqual(before);

    const expected = ffmpeg ? ['a.wav', path.join('sub', 'b.wav')] : ['a.wav'];
    expect(Object.keys(snapshot(out)).sort()).toEqual(expected.sort());
    const inputs: Record<string, string> = { 'a.wav': 'a.wav', [path.join('sub', 'b.wav')]: path.join('sub', 'b.mp3') };
    for (const rel of expected) {
      const written = decodeWav(readFileSync(path.join(out, rel)));
      expect(written.sampleRate).toBe(16000);
      expect(written.channels).toHaveLength(1);
      const original = await decodeAudioFile(path.join(inDir, inputs[rel]!));
      expect(written.channels[0]!.length).toBe(original.length);
      expect(snrDb(original, written.channels[0]!)).toBeGreaterThanOrEqual(budget - 0.1);
    }

    const report = JSON.parse(readFileSync(json, 'utf8')) as ProtectReport;
    expect(report.settings.budgetDb).toBe(budget);
    expect(report.models.generator.sha256).toMatch(/^[0-9a-f]{16}$/);
    expect(report.models.asr?.sha256).toMatch(/^[0-9a-f]{16}$/);
    expect(report.files.map((f) => f.input)).toEqual(ffmpeg ? ['a.wav', path.join('sub', 'b.mp3')] : ['a.wav']);
    for (const f of report.files) {
      expect(f.snrDb).toBeGreaterThanOrEqual(budget - 0.1);
      expect(f.perturbationHighShare).toBeGreaterThanOrEqual(0);
      expect(f.perturbationHighShare).toBeLessThanOrEqual(1);
      const ev = f.evaluation!;
      for (const v of [ev.original, ev.protected]) {
        const p = EMOTIONS.map((e) => v.probabilities[e]);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        expect(v.emotion).toBe(EMOTIONS[p.indexOf(Math.max(...p))]);
      }
      const w = wer([ev.original.transcript], [ev.protected.transcript]);
      expect(ev.wer).toBe(w.refLength > 0 ? w.rate : null);
      expect(ev.emotionKept).toBe(ev.original.emotion === ev.protected.emotion);
    }
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.rel, s.reason]));
    expect(skipped).toEqual({
      'notes.txt': 'unsupported-extension',
      'empty.wav': 'empty',
      'quiet.wav': 'silent',
      [path.join('sub', 'broken.ogg')]: ffmpeg ? 'corrupt' : 'ffmpeg-missing',
    });
    expect(report.summary.protected).toBe(expected.length);
    expect(report.summary.skippedByReason).toEqual({
      'unsupported-extension': 1,
      empty: 1,
      silent: 1,
      [ffmpeg ? 'corrupt' : 'ffmpeg-missing']: 1,
    });
    // The printed summary names each skipped file under its reason.
    expect(r.out).toMatch(/silent \(1\):\n\s+quiet\.wav: The clip is silent/);
    expect(r.out).toContain('empty.wav: “empty.wav” is empty (0 bytes).');
    expect(r.out).toContain('transcript  original:');
    expect(r.out).not.toContain('.hidden');

    // A second run into the same folder is refused as a whole and changes nothing.
    const outBefore = snapshot(out);
    const again = await run([inDir, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toContain('already exists; pass --force');
    expect(snapshot(out)).toEqual(outBefore);
    expect(snapshot(inDir)).toEqual(before);
  }, 120_000);

  it('without ffmpeg still protects the WAVs and names apt-get install ffmpeg for the rest', async () => {
    const out = path.join(root, 'out-no-ffmpeg');
    const r = await run([inDir, '--out', out, '--ffmpeg', path.join(root, 'no-such-ffmpeg')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('ffmpeg was not found, so only WAV files can be read');
    expect(existsSync(path.join(out, 'a.wav'))).toBe(true);
    expect(existsSync(path.join(out, 'sub'))).toBe(false);
    expect(r.out).toMatch(/needs ffmpeg \(\d\):\n\s+sub\/(b\.mp3|broken\.ogg): .*apt-get install ffmpeg/);
  }, 60_000);

  it('refuses to write into the input folder under the same names, and writes nothing', async () => {
    const before = snapshot(inDir);
    const r = await run([inDir, '--out', inDir, '--force']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Refused: nothing was written.');
    expect(r.err).toContain('would overwrite the input “a.wav”');
    expect(snapshot(inDir)).toEqual(before);
  });

  it('with a bands.json, protects with the weights of the budget and reports which weights ran', async () => {
    const model = path.join(root, 'model');
    mkdirSync(path.join(model, 'high'), { recursive: true });
    for (const f of ['model.json', 'weights.bin']) {
      writeFileSync(path.join(model, f), readFileSync(path.join('public/models/aclipse', f)));
      writeFileSync(path.join(model, 'high', f), readFileSync(path.join('public/models/aclipse', f)));
    }
    // different weights in the band, so the two runs' outputs and hashes can differ
    const w = new Float32Array(new Uint8Array(readFileSync(path.join(model, 'weights.bin'))).buffer).map(
      (v) => v * 0.5,
    );
    writeFileSync(path.join(model, 'high', 'weights.bin'), new Uint8Array(w.buffer));
    writeFileSync(
      path.join(model, 'bands.json'),
      JSON.stringify({
        format: 'aclipse-bands/1',
        bands: [{ fromDb: 15, path: 'high', label: 'halved', why: 'test' }],
      }),
    );
    const one = path.join(root, 'one');
    mkdirSync(one, { recursive: true });
    writeFileSync(path.join(one, 'a.wav'), encodeWav(voice(1), 16000));
    const reports: ProtectReport[] = [];
    const outs: Float32Array[] = [];
    for (const budget of [12, 18]) {
      const out = path.join(root, `bands-${budget}`);
      const json = path.join(root, `bands-${budget}.json`);
      const r = await run([one, '--out', out, '--budget', String(budget), '--model', model, '--json', json]);
      expect(r.code, r.err).toBe(0);
      expect(r.out.includes('uses its weights halved')).toBe(budget >= 15);
      reports.push(JSON.parse(readFileSync(json, 'utf8')) as ProtectReport);
      const y = decodeWav(readFileSync(path.join(out, 'a.wav'))).channels[0]!;
      expect(snrDb(voice(1), y)).toBeGreaterThanOrEqual(budget - 0.1);
      outs.push(y);
    }
    expect(reports[0]!.models.generator.path).toBe(model);
    expect(reports[1]!.models.generator.path).toBe(path.join(model, 'high/'));
    expect(reports[1]!.models.generator.sha256).not.toBe(reports[0]!.models.generator.sha256);
  }, 120_000);

  it('--same-speaker reads every file against the speaker’s average, and only with enough files', async () => {
    const model = JSON.parse(readFileSync('public/models/cue-emotion.json', 'utf8')) as { minClips: number };
    const dir = path.join(root, 'speaker');
    mkdirSync(dir, { recursive: true });
    // One "speaker" at different pitches and levels: a harmonic series with a syllable-rate envelope.
    const clip = (f0: number, amp: number) =>
      Float32Array.from({ length: 24000 }, (_, i) => {
        const t = i / 16000;
        let v = 0;
        for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * f0 * (1 + 0.05 * Math.sin(3 * t)) * h * t + h) / h;
        return amp * v * Math.max(0, Math.sin(2 * Math.PI * 4 * t)) ** 2;
      });
    const n = model.minClips + 1;
    for (let k = 0; k < n; k++)
      writeFileSync(path.join(dir, `s${k}.wav`), encodeWav(clip(110 + 12 * k, 0.1 + 0.03 * k), 16000));
    const json = path.join(root, 'speaker.json');
    const r = await run([dir, '--out', path.join(root, 'speaker-out'), '--same-speaker', '--json', json]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Emotion relative to the voice (the ${n} files with voiced speech`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ProtectReport;
    expect(report.settings.sameSpeaker).toBe(true);
    for (const f of report.files) {
      expect(f.prosody!.original).not.toBeNull();
      const v = f.voiceEmotion!;
      expect(v.referenceClips).toBe(n);
      const p = EMOTIONS.map((e) => v.original.probabilities[e]);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(v.original.emotion).toBe(EMOTIONS[p.indexOf(Math.max(...p))]);
      expect(v.protected).not.toBeNull();
    }
    // The highest-pitched, loudest file and the lowest, quietest one are not read alike against one reference.
    expect(report.files[0]!.voiceEmotion!.original.emotion).not.toBe(
      report.files[n - 1]!.voiceEmotion!.original.emotion,
    );

    // Too few files: nothing is read, and the report says why.
    const few = path.join(root, 'speaker-few');
    mkdirSync(few);
    writeFileSync(path.join(few, 'x.wav'), encodeWav(clip(120, 0.2), 16000));
    const r2 = await run([few, '--out', path.join(root, 'speaker-few-out'), '--same-speaker', '--report']);
    expect(r2.code, r2.err).toBe(0);
    expect(r2.out).toContain(`needs ${model.minClips} or more files of the speaker with voiced speech; 1 has it`);
    // And it refuses to run without a report to add to.
    const r3 = await run([few, '--out', path.join(root, 'speaker-few-out2'), '--same-speaker']);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain('--same-speaker adds a reading to the report');
  }, 120_000);

  it('--dry-run lists the plan and writes nothing', async () => {
    const out = path.join(root, 'dry');
    const r = await run([inDir, '--out', out, '--suffix', '-p', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`a.wav → ${path.join(out, 'a-p.wav')}`);
    expect(r.out).toContain('notes.txt: .txt is not an audio or video type the app takes');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects unknown options and a flag that swallowed the input path', async () => {
    expect((await run([inDir, '--out', root, '--sufix', '-p'])).err).toContain('Unknown option: --sufix');
    const swallowed = await run(['--force', inDir, '--out', root]);
    expect(swallowed.code).toBe(2);
    expect(swallowed.err).toContain('--force takes no value');
    expect(() => parseProtectArgs([inDir, '--out', root, '--budget', '200'])).toThrow(/outside −20…80 dB/);
    expect(() => parseProtectArgs([inDir])).toThrow(UsageError);
    expect(parseProtectArgs([inDir, '--out', root, '--suffix', '-protected', '--budget', '-3'])).toMatchObject({
      suffix: '-protected',
      budgetDb: -3,
    });
  });
});

// A tsx start-up takes seconds on a loaded machine; these two check what only a real process shows (exit status).
describe('scripts/protect.ts as a process', () => {
  const tsx = path.resolve('node_modules/.bin/tsx');
  it('prints usage with --help and exits 0', () => {
    const r = spawnSync(tsx, ['scripts/protect.ts', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--suffix <text>');
    expect(r.stdout).toContain('16 kHz mono 16-bit WAV');
  }, 60_000);

  it('exits 2 on a refusal', () => {
    const r = spawnSync(tsx, ['scripts/protect.ts', inDir, '--out', inDir], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(existsSync(path.join(inDir, 'a.wav'))).toBe(true);
  }, 60_000);
});
