import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/core/node/tf';
import { evalClips, loadCorpus, type DiskEvaluators } from '../aclipse/common';
import { DEFAULT_EVAL_CONFIG } from './report';
import { CODECS } from '../../src/core/node/codec';
import { parseCodecList, protectLive, runExternal, type ExternalReport } from './external';
import type { Protector } from '../../src/core/aclipse/banded';
import { LiveProtector, LIVE_DEFAULTS } from '../../src/core/live';
import { tinyEvaluators } from '../../src/core/ml/test-models';

// The attacker is the protocol fake (tests/fixtures/fake-attacker.mjs: its "transcript" names the sample count), so
// this checks the report's plumbing, caching and arithmetic without Python; attackers.integration.test.ts runs the
// real recognizers.
const FAKE = [process.execPath, path.resolve('tests/fixtures/fake-attacker.mjs')];
let dir: string;
let report: ExternalReport;
let ev: DiskEvaluators;
// Two codecs keep the test short: one wide-band with priming delay, the telephone band.
const CODECS_RUN = ['mp3-64' as const, 'mulaw-8k' as const];

beforeAll(async () => {
  await initTf('wasm');
  dir = mkdtempSync(path.join(os.tmpdir(), 'aclipse-external-'));
  // A two-clip "real" set in the real-set manifest format: one English clip, one Czech clip that must be left out.
  const real = path.join(dir, 'real');
  mkdirSync(path.join(real, 'clips'), { recursive: true });
  const fixture = (await loadCorpus('tests/fixtures/corpus10')).entries.slice(0, 2);
  const lines = fixture.map((e, i) => {
    copyFileSync(path.join('tests/fixtures/corpus10', e.path), path.join(real, 'clips', `r${i}.wav`));
    return JSON.stringify({
      id: `r${i}`,
      path: `clips/r${i}.wav`,
      text: e.text,
      split: 'real',
      speaker: 'x',
      lang: i === 0 ? 'en' : 'cs',
      source: 'alsa-utils',
    });
  });
  writeFileSync(path.join(real, 'manifest.jsonl'), lines.join('\n') + '\n');
  const { asr, ser } = tinyEvaluators();
  ev = {
    ser,
    asr,
    frozen: null as never,
    scoring: { ser, asr },
    decoder: 'greedy only',
    dispose: () => (ser.dispose(), asr.dispose()),
  };
  const cfg = {
    ...DEFAULT_EVAL_CONFIG,
    split: 'train',
    out: path.join(dir, 'out'),
    external: {
      ...DEFAULT_EVAL_CONFIG.external,
      limit: 3,
      methods: ['noise' as const, 'lowpass4k' as const],
      snrs: [20],
      real,
      realMinWords: 1,
      cache: path.join(dir, 'cache'),
      codecs: CODECS_RUN,
    },
  };
  const corpus = await loadCorpus('tests/fixtures/corpus10');
  report = await runExternal(cfg, corpus, ev, null, () => undefined, 'test', { command: FAKE });
}, 120_000);

describe('external-attacker report (fake attackers)', () => {
  it('scores the real set (English only) first, then the split, every condition', () => {
    expect(report.sets.map((s) => [s.name, s.clips])).toEqual([
      ['real', 1],
      ['train', 3],
    ]);
    for (const set of report.sets) {
      expect(set.summaries.map((s) => `${s.method}@${s.budgetDb}`)).toEqual([
        'original@null',
        'noise@20',
        'lowpass4k@20',
      ]);
      for (const s of set.summaries) expect(Object.keys(s.external ?? {}).sort()).toEqual(['pocketsphinx', 'whisper']);
    }
  });

  it("reads the fake's transcripts back into WER and gain over matched noise", () => {
    const csv = readFileSync(path.join(dir, 'out', 'external', 'clips-train.csv'), 'utf8')
      .trim()
      .split('\n');
    const head = csv[0]!.split(',');
    const lp = csv
      .slice(1)
      .map((l) => l.split(','))
      .filter((c) => c[1] === 'lowpass4k');
    expect(lp).toHaveLength(3);
    for (const c of lp) {
      // the fake says how many samples it heard, spelled out by spellNumbers: same length in and out
      expect(c[head.indexOf('whisper_transcript')]).toMatch(/^whisper heard .* samples starting/);
      expect(c[head.indexOf('whisper_noise_transcript')]).toMatch(/^whisper heard/);
    }
    const s = report.sets[1]!.summaries.find((x) => x.method === 'lowpass4k')!;
    // Every fake transcript is wrong against a real sentence, so WER is positive; noise and low-pass read alike.
    expect(s.external!.whisper!.wer.rate).toBeGreaterThan(0.5);
    expect(s.external!.whisper!.werNoise).not.toBeNull();
    expect(Number.isFinite(s.external!.whisper!.gainOverNoise)).toBe(true);
    expect(report.sets[1]!.summaries.find((x) => x.method === 'noise')!.external!.whisper!.gainOverNoise).toBeNull();
  });

  it('writes the report and caches transcripts so a rerun asks the attackers nothing', async () => {
    const md = readFileSync(path.join(dir, 'out', 'external', 'report.md'), 'utf8');
    expect(md).toContain('## real (1 clips)');
    expect(md).toMatch(/\| White noise \| 20 \|.*\(is noise\)/);
    const cache = path.join(dir, 'cache');
    const before = readFileSync(
      path.join(
        cache,
        (await import('node:fs')).readdirSync(cache).find((f) => f.startsWith('whisper'))!,
      ),
      'utf8',
    )
      .trim()
      .split('\n').length;
    expect(before).toBeGreaterThan(0);
    const corpus = await loadCorpus('tests/fixtures/corpus10');
    const again = await runExternal(
      {
        ...DEFAULT_EVAL_CONFIG,
        split: 'train',
        out: path.join(dir, 'out2'),
        external: {
          ...DEFAULT_EVAL_CONFIG.external,
          limit: 3,
          methods: ['noise', 'lowpass4k'],
          snrs: [20],
          real: null,
          cache,
          codecs: CODECS_RUN,
        },
      },
      corpus,
      ev,
      null,
      () => undefined,
      'test',
      { command: FAKE },
    );
    expect(again.sets[0]!.summaries.map((s) => s.external!.whisper!.wer.rate)).toEqual(
      report.sets[1]!.summaries.map((s) => s.external!.whisper!.wer.rate),
    );
    const after = readFileSync(
      path.join(
        cache,
        (await import('node:fs')).readdirSync(cache).find((f) => f.startsWith('whisper'))!,
      ),
      'utf8',
    )
      .trim()
      .split('\n').length;
    expect(after).toBe(before);
  }, 60_000);

  it('reads every condition again after each codec, noise twins included, with the change from WAV', () => {
    expect(report.codecSets.map((c) => [c.name, c.codec, c.clips])).toEqual([
      ['real', 'mp3-64', 1],
      ['real', 'mulaw-8k', 1],
      ['train', 'mp3-64', 3],
      ['train', 'mulaw-8k', 3],
    ]);
    for (const cs of report.codecSets) {
      expect(cs.summaries.map((s) => `${s.method}@${s.budgetDb}`)).toEqual([
        'original@null',
        'noise@20',
        'lowpass4k@20',
      ]);
      const lp = cs.summaries.find((s) => s.method === 'lowpass4k')!;
      expect(Number.isFinite(lp.external!.whisper!.gainOverNoise)).toBe(true);
      expect(lp.matchedNoise!.clips).toBe(cs.clips);
      expect(lp.matchedNoise!.cues!.clips).toBe(cs.clips);
    }
    const wav = readFileSync(path.join(dir, 'out', 'external', 'clips-train.csv'), 'utf8')
      .trim()
      .split('\n');
    const mu = readFileSync(path.join(dir, 'out', 'external', 'clips-train-mulaw-8k.csv'), 'utf8')
      .trim()
      .split('\n');
    const head = wav[0]!.split(',');
    expect(mu[0]).toBe(wav[0]);
    const col = (lines: string[], name: string) =>
      lines
        .slice(1)
        .map((l) => l.split(','))
        .filter((c) => c[1] === 'noise')
        .map((c) => c[head.indexOf(name)]);
    // The round trip keeps the length (the fake names it) but not the waveform (cue contours move).
    expect(col(mu, 'whisper_transcript').map((t) => t!.replace(/ starting.*/, ''))).toEqual(
      col(wav, 'whisper_transcript').map((t) => t!.replace(/ starting.*/, '')),
    );
    expect(col(mu, 'loudness_corr')).not.toEqual(col(wav, 'loudness_corr'));
    expect(col(mu, 'noise_f0_corr').every((v) => v === '')).toBe(true);
    const md = readFileSync(path.join(dir, 'out', 'external', 'report.md'), 'utf8');
    // The WAV table shows the noise twins' SER and cues too.
    const wavLp = md
      .slice(md.indexOf('## train (3 clips)'))
      .split('\n')
      .find((l) => l.startsWith('| Low-pass 4 kHz | 20 |'))!;
    const cells = wavLp
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    expect(cells[4]).toMatch(/^\d+\.\d$/);
    expect(cells.slice(-2).every((c) => /^-?\d\.\d\d$/.test(c))).toBe(true);
    expect(md).toContain('## After re-encoding (the upload path)');
    expect(md).toMatch(/\| train \| Low-pass 4 kHz \| 20 \| [+-]\d/);
    expect(md).toContain('### train after G.711 μ-law 8 kHz (3 clips)');
    // loudness correlation after μ-law with its change from WAV in brackets
    expect(md).toMatch(/### real after MP3 64 kbit\/s[\s\S]*\| Low-pass 4 kHz \| 20 \|.*\d\.\d\d \([+-]\d\.\d\d\)/);
  });

  it('parses --external-codecs', () => {
    expect(parseCodecList('none')).toEqual([]);
    expect(parseCodecList('all')).toEqual([...CODECS]);
    expect(parseCodecList('opus-24,mp3-64,opus-24')).toEqual(['opus-24', 'mp3-64']);
    expect(() => parseCodecList('mp3-64,flac')).toThrow(/unknown flac/);
  });

  it('reads the Aclipse rows as the live stream protects them with --external-live', async () => {
    // A stand-in generator that always spends its whole budget on a fixed tone: the live stream must cut it where
    // the running energy would otherwise break the bound, so its output differs from the whole-clip protection.
    const gen: Protector = {
      protect: async (w, budgetDb = 10) => {
        const d = Float32Array.from(w, (_, i) => Math.sin(0.37 * i));
        const e = (a: Float32Array) => Math.sqrt(a.reduce((t, v) => t + v * v, 0));
        const k = (e(w) * 10 ** (-budgetDb / 20)) / Math.max(e(d), 1e-12);
        return {
          wave: Float32Array.from(w, (v, i) => v + k * d[i]!),
          snrDb: budgetDb,
          soAttention: new Float32Array(0),
          erAttention: new Float32Array(0),
        };
      },
    };
    const corpus = await loadCorpus('tests/fixtures/corpus10');
    const x = await evalClips(corpus.entries.slice(0, 1))[0]!.load();
    const live = await protectLive(gen, x, 10);
    const offline = await gen.protect(x, 10);
    // what the Live card's stream gives for the same audio, pushed in uneven microphone-sized blocks
    const stream = new LiveProtector(async (w, b) => (await gen.protect(w, b)).wave, {
      budgetDb: 10,
      ...LIVE_DEFAULTS,
    });
    const streamed = new Float32Array(x.length);
    for (let at = 0, k = 0; at < x.length; k++) {
      const n = 250 + 137 * (k % 5);
      const c = await stream.push(x.subarray(at, at + n));
      if (c) streamed.set(c.protected, c.start);
      at += n;
    }
    const last = await stream.flush();
    if (last) streamed.set(last.protected, last.start);
    expect(live.wave).toHaveLength(x.length);
    expect(Array.from(live.wave)).toEqual(Array.from(streamed));
    // the running-energy bound keeps the whole clip within the budget, and it is not the whole-clip protection
    expect(live.snrDb).toBeGreaterThanOrEqual(10 - 1e-3);
    expect(live.wave.some((v, i) => Math.abs(v - offline.wave[i]!) > 1e-4)).toBe(true);
    // other stream settings (how the defaults were chosen): a cap at the budget itself perturbs less
    const strict = await protectLive(gen, x, 10, { ...LIVE_DEFAULTS, localCapDb: 0 });
    expect(strict.snrDb).toBeGreaterThan(live.snrDb + 0.1);

    // the folder the stand-in is said to come from: the report names the weights it measured by their hash
    const genDir = path.join(dir, 'stand-in');
    mkdirSync(genDir, { recursive: true });
    writeFileSync(path.join(genDir, 'weights.bin'), 'stand-in weights');
    const out = await runExternal(
      {
        ...DEFAULT_EVAL_CONFIG,
        generator: genDir,
        split: 'train',
        out: path.join(dir, 'out-live'),
        external: {
          ...DEFAULT_EVAL_CONFIG.external,
          limit: 2,
          methods: ['aclipse'],
          snrs: [10],
          real: null,
          cache: path.join(dir, 'cache'),
          codecs: [],
          live: true,
        },
      },
      corpus,
      ev,
      gen,
      () => undefined,
      'test',
      { command: FAKE },
    );
    const a = out.sets[0]!.summaries.find((s) => s.method === 'aclipse')!;
    expect(a.label).toMatch(/live stream, 40 ms hops/);
    expect(a.weightsSha256).toBe(createHash('sha256').update('stand-in weights').digest('hex'));
    expect(out.sets[0]!.summaries.find((s) => s.method === 'original')!.weightsSha256).toBeUndefined();
    // the stream's settings travel with the report, so a claim made from it can be checked against the app's
    expect(out.live).toBe(true);
    expect(out.liveSettings).toEqual(LIVE_DEFAULTS);
    // the achieved SNR is the live stream's: within the budget, and not the stand-in's whole-clip 10.0 dB
    expect(a.clips).toBe(2);
    expect(a.meanSnrDb!).toBeGreaterThan(10.05);
  }, 60_000);
});
