/**
 * npm run eval:evaluators -- [--models public/models] [--ser DIR] [--asr DIR] [--manifest data/corpus/manifest.jsonl]
 *                            [--splits test,test_speaker] [--limit N] [--write] [--backend wasm|cpu]
 *                            [--by voice|speaker|emotion] [--gains -12,-6,6] [--real data/real] [--out FILE.json] [--only ser|asr]
 *
 * Prints WA, UA (SER) and WER, CER (ASR; greedy and lexicon beam search) of the shipped evaluators on the
 * sentence-held-out `test` split and the speaker-held-out `test_speaker` split, plus the SER confusion matrices.
 * --gains also scores `test` with every clip scaled by each gain (dB; scaled in floating point, so nothing clips):
 * the recording level must not decide the emotion or the words.
 * --real scores the ASR on the English real-speech sentences the external report scores (next to Whisper tiny.en's
 * WER from results/eval/external/report.json) and shows the SER's emotion distribution on all English real clips.
 * --only ser|asr reads with one model only.
 * --write stores the numbers in <models>/<kind>/eval.json; --out writes everything to one JSON file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { decodeWavTo16kMono } from '../src/core/audio';
import type { RealManifestRecord } from '../src/core/data/types';
import path from 'node:path';
import { EMOTIONS } from '../src/core/data/emotions';
import type { CorpusSplit } from '../src/core/data/types';
import { asrMetrics, serMetrics, type AsrMetrics, type SerMetrics } from '../src/core/ml/train';
import { predictAsr, predictSer } from '../src/core/ml/predict';
import { modelFromArtifacts } from '../src/core/ml/weights';
import { readModelDir } from '../src/core/node/io';
import { initTf, type NodeBackend } from '../src/core/node/tf';
import { loadSplit, pct, readDecoder, readManifest } from './evaluators/data';
import { argOr as arg } from './flags';

async function main(): Promise<void> {
  const modelsDir = arg('models', 'public/models');
  const manifest = arg('manifest', 'data/corpus/manifest.jsonl');
  const splits = arg('splits', 'test,test_speaker').split(',') as CorpusSplit[];
  const limit = Number(arg('limit', '0')) || null;
  const write = arg('write', 'false') === 'true';
  const by = arg('by', '') || null;
  if (by && !['voice', 'speaker', 'emotion'].includes(by)) throw new Error('--by takes voice, speaker or emotion');
  const field = by ? new Map(readManifest(manifest).map((r) => [r.id, String(r[by as keyof typeof r] ?? '?')])) : null;
  const tf = await initTf(arg('backend', 'wasm') as NodeBackend);
  const serDir = arg('ser', path.join(modelsDir, 'ser'));
  const asrDir = arg('asr', path.join(modelsDir, 'asr'));
  const serArt = await readModelDir(serDir);
  const asrArt = await readModelDir(asrDir);
  const ser = modelFromArtifacts(serArt, 'ser');
  const asr = modelFromArtifacts(asrArt, 'asr');
  // a candidate ASR folder may lack the lexicon and LM: fall back to the shipped ones (same vocabulary)
  const decoder =
    readDecoder(asrDir, asrArt.modelJson) ??
    readDecoder(path.join(modelsDir, 'asr'), (await readModelDir(path.join(modelsDir, 'asr'))).modelJson);
  const gains = arg('gains', '')
    .split(',')
    .filter((g) => g.trim())
    .map(Number);
  const realDir = arg('real', '') || null;
  const outFile = arg('out', '') || null;
  const extra: Record<string, unknown> = {};
  const only = arg('only', '');
  if (only && only !== 'ser' && only !== 'asr') throw new Error('--only takes ser or asr');
  // a skipped model reads nothing and prints nothing (no placeholder numbers)
  const readSer = (waves: Float32Array[]) => (only === 'asr' ? Promise.resolve(null) : predictSer(ser, waves));
  const readAsr = (waves: Float32Array[]) =>
    only === 'ser' ? Promise.resolve(null) : predictAsr(asr, waves, decoder ?? {});
  console.log(
    `backend ${tf.getBackend()}; SER ${ser.parameterCount()} params, ASR ${asr.parameterCount()} params; ${decoder?.describe ?? 'no lexicon (greedy only)'}`,
  );
  const results: Record<string, { ser: SerMetrics | null; asr: AsrMetrics | null }> = {};
  for (const split of splits) {
    const clips = loadSplit(manifest, split, limit);
    if (!clips.length) throw new Error(`split ${split} is empty in ${manifest}`);
    const t0 = Date.now();
    const waves = clips.map((c) => c.samples);
    const serProbs = await readSer(waves);
    const asrPreds = await readAsr(waves);
    const s =
      serProbs &&
      serMetrics(
        clips.map((c) => c.emotion ?? 0),
        serProbs,
        EMOTIONS.length,
      );
    const a =
      asrPreds &&
      asrMetrics(
        clips.map((c) => c.text ?? ''),
        asrPreds,
      );
    results[split] = { ser: s, asr: a };
    console.log(`\n== ${split} (${clips.length} clips, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (s) console.log(`SER  WA ${pct(s.wa)}  UA ${pct(s.ua)}`);
    if (a)
      console.log(
        `ASR  greedy: WER ${pct(a.werGreedy)}  CER ${pct(a.cerGreedy)}   beam: WER ${pct(a.werBeam)}  CER ${pct(a.cerBeam)}`,
      );
    if (s) console.log(`confusion (rows = true, cols = predicted; ${EMOTIONS.join(', ')}):`);
    s?.confusion.forEach((row, i) =>
      console.log(`  ${EMOTIONS[i].padEnd(8)} ${row.map((v) => String(v).padStart(5)).join('')}`),
    );
    if (by && field) {
      // per voice or emotion (manifest field): where the errors are, not only how many
      const groups = new Map<string, number[]>();
      clips.forEach((c, i) => {
        const g = field.get(c.id) ?? '?';
        groups.set(g, [...(groups.get(g) ?? []), i]);
      });
      console.log(`by ${by}:`);
      for (const [g, idx] of [...groups].sort()) {
        const gs =
          serProbs &&
          serMetrics(
            idx.map((i) => clips[i].emotion ?? 0),
            idx.map((i) => serProbs[i]),
            EMOTIONS.length,
          );
        const ga =
          asrPreds &&
          asrMetrics(
            idx.map((i) => clips[i].text ?? ''),
            idx.map((i) => asrPreds[i]),
          );
        console.log(
          `  ${g.padEnd(18)} ${String(idx.length).padStart(4)} clips` +
            (gs ? `  SER WA ${pct(gs.wa)}` : '') +
            (ga ? `  ASR greedy CER ${pct(ga.cerGreedy)} WER ${pct(ga.werGreedy)}  beam WER ${pct(ga.werBeam)}` : ''),
        );
      }
    }
  }
  if (gains.length) {
    const clips = loadSplit(manifest, 'test', limit);
    const score = async (waves: Float32Array[]) => {
      const sp = await readSer(waves);
      const ap = await readAsr(waves);
      return {
        ser:
          sp &&
          serMetrics(
            clips.map((c) => c.emotion ?? 0),
            sp,
            EMOTIONS.length,
          ),
        asr:
          ap &&
          asrMetrics(
            clips.map((c) => c.text ?? ''),
            ap,
          ),
      };
    };
    const base = results.test ?? (await score(clips.map((c) => c.samples)));
    const rows: Record<string, { wa?: number; werBeam?: number; waChange?: number; werChange?: number }> = {};
    console.log(`\n== test at other recording levels (${clips.length} clips, scaled without clipping)`);
    for (const db of gains) {
      const g = 10 ** (db / 20);
      const waves = clips.map((c) => c.samples.map((v) => v * g));
      const { ser: s, asr: a } = await score(waves);
      const waChange = s && base.ser ? s.wa - base.ser.wa : undefined;
      const werChange =
        a?.werBeam !== undefined && base.asr?.werBeam !== undefined ? a.werBeam - base.asr.werBeam : undefined;
      rows[`${db > 0 ? '+' : ''}${db} dB`] = { wa: s?.wa, werBeam: a?.werBeam, waChange, werChange };
      const points = (x: number | undefined) =>
        x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} points`;
      console.log(
        `${String(db).padStart(4)} dB` +
          (s ? `  SER WA ${pct(s.wa)} (${points(waChange)})` : '') +
          (a ? `   ASR beam WER ${pct(a.werBeam)} (${points(werChange)})` : ''),
      );
    }
    extra.gains = { baseline: { wa: base.ser?.wa, werBeam: base.asr?.werBeam }, byGain: rows };
  }
  if (realDir) extra.real = await scoreReal(realDir, only === 'asr' ? null : ser, only === 'ser' ? null : asr, decoder);
  if (outFile) {
    const record = {
      command: `npm run eval:evaluators -- ${process.argv.slice(2).join(' ')}`,
      date: new Date().toISOString(),
      manifest,
      ser: { dir: serDir, trainedWith: serArt.modelJson.trainedWith?.command ?? null },
      asr: { dir: asrDir, trainedWith: asrArt.modelJson.trainedWith?.command ?? null },
      splits: results,
      ...extra,
    };
    await writeFile(outFile, JSON.stringify(record, null, 1) + '\n');
    console.log(`\nwrote ${outFile}`);
  }
  if (write) {
    const stamp = {
      command: `npm run eval:evaluators -- ${process.argv.slice(2).join(' ')}`,
      manifest,
      date: new Date().toISOString(),
    };
    for (const [kind, dir] of [
      ['ser', serDir],
      ['asr', asrDir],
    ] as const) {
      if (only && only !== kind) continue;
      await writeFile(
        path.join(dir, 'eval.json'),
        JSON.stringify(
          {
            ...stamp,
            splits: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v[kind]])),
            ...(kind === 'ser' && extra.gains ? { gains: extra.gains } : {}),
          },
          null,
          1,
        ) + '\n',
      );
      console.log(`wrote ${dir}/eval.json`);
    }
  }
  ser.dispose();
  asr.dispose();
}

/** The scorable English real sentences of the external report (same filter), and all English real clips. */
async function scoreReal(
  dir: string,
  ser: ReturnType<typeof modelFromArtifacts> | null,
  asr: ReturnType<typeof modelFromArtifacts> | null,
  decoder: ReturnType<typeof readDecoder>,
): Promise<Record<string, unknown>> {
  const file = path.join(dir, 'manifest.jsonl');
  if (!existsSync(file)) throw new Error(`No real-speech set at ${dir}: run \`npm run corpus:real\` first`);
  const recs = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RealManifestRecord);
  const { DEFAULT_EXTERNAL_CONFIG, scorableRealSentence } = await import('./eval/external');
  const english = recs.filter((r) => r.lang === DEFAULT_EXTERNAL_CONFIG.realLang);
  const scorable = recs.filter((r) => scorableRealSentence(r, DEFAULT_EXTERNAL_CONFIG));
  const wave = (r: RealManifestRecord) => decodeWavTo16kMono(readFileSync(path.join(dir, r.path)));
  const out: Record<string, unknown> = {};
  if (asr) {
    const a = asrMetrics(
      scorable.map((r) => r.text),
      await predictAsr(asr as never, scorable.map(wave), decoder ?? {}),
    );
    // Whisper tiny.en on the same clips, from the external report (it is not rerun here)
    let whisper: { wer: number; clips: number } | null = null;
    const reportFile = 'results/eval/external/report.json';
    if (existsSync(reportFile)) {
      const rep = JSON.parse(readFileSync(reportFile, 'utf8')) as {
        sets: {
          name: string;
          clips: number;
          summaries: { method: string; external?: { whisper?: { wer: { rate: number } } } }[];
        }[];
      };
      const set = rep.sets.find((x) => x.name === 'real');
      const orig = set?.summaries.find((x) => x.method === 'original');
      if (set && orig?.external?.whisper) whisper = { wer: orig.external.whisper.wer.rate, clips: set.clips };
    }
    console.log(
      `\n== real English sentences (${scorable.length} clips; ${DEFAULT_EXTERNAL_CONFIG.realSources.join(', ')}, ≥ ${DEFAULT_EXTERNAL_CONFIG.realMinWords} words)`,
    );
    console.log(
      `ASR  greedy: WER ${pct(a.werGreedy)}  beam: WER ${pct(a.werBeam)}   Whisper tiny.en: ${whisper ? `${pct(whisper.wer)} on ${whisper.clips} clips (${reportFile})` : 'no report'}`,
    );
    out.asr = { clips: scorable.length, ...a };
    out.whisper = whisper;
  }
  if (!ser) return out;
  const probs = await predictSer(ser as never, english.map(wave));
  const counts = EMOTIONS.map(() => 0);
  for (const p of probs) counts[p.indexOf(Math.max(...p))]! += 1;
  const share = Object.fromEntries(EMOTIONS.map((e, i) => [e, counts[i]! / Math.max(1, english.length)]));
  console.log(
    `SER on ${english.length} English real clips: ${EMOTIONS.map((e) => `${e} ${pct(share[e])}`).join('  ')}`,
  );
  return { ...out, serDistribution: { clips: english.length, share } };
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
