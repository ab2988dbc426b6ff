/**
 * `npm run eval:domain`: calibrates and reports the out-of-domain check (src/core/domain.ts).
 *
 * Signals come from `Evaluators.predict`, the exact path the app runs (greedy decoding: the signals do not depend on
 * the beam search). The rule is fitted on the synthetic corpus's `val` clips (in domain) and the CALIBRATION half of
 * the real set (out of domain) only; features are chosen by 5-fold cross-validation on those same clips. It is then
 * reported, never tuned, on synthetic `test`, the demo clips, the HELD-OUT real half (whose English alsa prompts are
 * also shown alone) and a few made-up non-speech signals.
 *
 *   npm run eval:domain -- --corpus data/corpus --real data/real [--val-limit 400] [--test-limit 400]
 *
 * Writes public/models/domain.json (calibration + provenance) and results/local/domain.md; signals are cached in
 * data/domain-signals.json (delete it after changing the evaluators).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeWavTo16kMono } from '../../src/core/audio';
import {
  assessDomain,
  DOMAIN_FEATURES,
  DEFAULT_NO_SPEECH,
  fitDomainCalibration,
  type DomainCalibration,
  type DomainFeature,
  type DomainSignals,
  type DomainVerdictKind,
} from '../../src/core/domain';
import type { RealManifestRecord } from '../../src/core/data/types';
import { Evaluators } from '../../src/core/ml/evaluators';
import { initTf } from '../../src/core/node/tf';
import { readModelDir } from '../../src/core/node/io';
import { spread } from '../aclipse/common';
import { argOr as arg } from '../flags';

interface Clip {
  key: string;
  file: string;
  group: string;
}

function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) throw new Error(`no manifest at ${file}`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** Made-up clips that are not speech: the no-speech rule must catch them (or at least not call them in domain). */
function syntheticNonSpeech(): Array<{ key: string; wave: Float32Array }> {
  const sr = 16000;
  const make = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return [
    { key: 'silence 3 s', wave: new Float32Array(3 * sr) },
    { key: 'tone 440 Hz 3 s', wave: make(3 * sr, (i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / sr)) },
    {
      key: 'beeps 1 kHz (0.2 s on/off)',
      wave: make(3 * sr, (i) => ((i / (0.2 * sr)) % 2 < 1 ? 0.3 * Math.sin((2 * Math.PI * 1000 * i) / sr) : 0)),
    },
    { key: 'white noise 3 s', wave: make(3 * sr, () => 0.1 * rnd()) },
  ];
}

/** Balanced accuracy of a rule on labelled signal sets. */
function balancedAccuracy(c: DomainCalibration, inD: DomainSignals[], outD: DomainSignals[]): number {
  const isOut = (s: DomainSignals) => assessDomain(s, c).verdict !== 'in-domain';
  return (inD.filter((s) => !isOut(s)).length / inD.length + outD.filter(isOut).length / outD.length) / 2;
}

/** k-fold CV balanced accuracy of fitting on `features` (folds by position, deterministic). */
function cvAccuracy(features: DomainFeature[], inD: DomainSignals[], outD: DomainSignals[], k = 5): number {
  let acc = 0;
  for (let f = 0; f < k; f++) {
    const tr = <T>(xs: T[]) => xs.filter((_, i) => i % k !== f);
    const te = <T>(xs: T[]) => xs.filter((_, i) => i % k === f);
    const c = fitDomainCalibration(tr(inD), tr(outD), { features, iterations: 600 });
    acc += balancedAccuracy(c, te(inD), te(outD));
  }
  return acc / k;
}

function subsets<T>(xs: readonly T[], maxSize: number): T[][] {
  const out: T[][] = [];
  const rec = (start: number, cur: T[]) => {
    if (cur.length) out.push([...cur]);
    if (cur.length === maxSize) return;
    for (let i = start; i < xs.length; i++) rec(i + 1, [...cur, xs[i]!]);
  };
  rec(0, []);
  return out;
}

async function main(): Promise<void> {
  const corpus = arg('corpus', 'data/corpus');
  const realDir = arg('real', 'data/real');
  const models = arg('models', 'public/models');
  const out = arg('out', path.join(models, 'domain.json'));
  const report = arg('report', 'results/local/domain.md');
  const cacheFile = arg('cache', 'data/domain-signals.json');
  const valLimit = Number(arg('val-limit', '400'));
  const testLimit = Number(arg('test-limit', '400'));

  await initTf('wasm');
  const ev = await Evaluators.load({
    ser: await readModelDir(path.join(models, 'ser')),
    asr: await readModelDir(path.join(models, 'asr')),
    words: null,
    lm: null,
  });

  const synth = readJsonl<{ id: string; path: string; split: string }>(path.join(corpus, 'manifest.jsonl'));
  const real = readJsonl<RealManifestRecord>(path.join(realDir, 'manifest.jsonl'));
  const demo = readJsonl<{ id: string; path: string }>('public/demo/manifest.jsonl');
  const fromSynth = (split: string, n: number): Clip[] =>
    spread(
      synth.filter((r) => r.split === split),
      n,
    ).map((r) => ({ key: `${split}:${r.id}`, file: path.join(corpus, r.path), group: split }));
  const fromReal = (half: string): Clip[] =>
    real
      .filter((r) => r.half === half)
      .map((r) => ({ key: `real:${r.id}`, file: path.join(realDir, r.path), group: `real-${half}` }));
  const clips: Clip[] = [
    ...fromSynth('val', valLimit),
    ...fromReal('calibration'),
    ...fromSynth('test', testLimit),
    ...fromSynth('test_speaker', testLimit),
    ...demo.map((r) => ({ key: `demo:${r.id}`, file: path.join('public/demo', r.path), group: 'demo' })),
    ...fromReal('heldout'),
  ];

  const cache: Record<string, DomainSignals> = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  const t0 = Date.now();
  let done = 0;
  const todo = clips.filter((c) => !cache[c.key]);
  for (const c of todo) {
    cache[c.key] = (await ev.predict(decodeWavTo16kMono(readFileSync(c.file)))).signals;
    if (++done % 100 === 0 || done === todo.length) {
      console.log(`signals ${done}/${todo.length} (${((Date.now() - t0) / done).toFixed(0)} ms/clip)`);
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      writeFileSync(cacheFile, JSON.stringify(cache));
    }
  }
  const sig = (group: string) => clips.filter((c) => c.group === group).map((c) => cache[c.key]!);
  const alsa = clips.filter((c) => c.key.startsWith('real:alsa__')).map((c) => cache[c.key]!);
  const nonSpeech = syntheticNonSpeech();
  const nonSpeechSignals: Array<{ key: string; s: DomainSignals }> = [];
  for (const n of nonSpeech) nonSpeechSignals.push({ key: n.key, s: (await ev.predict(n.wave)).signals });
  const alsaNoise = '/usr/share/sounds/alsa/Noise.wav';
  if (existsSync(alsaNoise))
    nonSpeechSignals.push({
      key: 'alsa Noise.wav',
      s: (await ev.predict(decodeWavTo16kMono(readFileSync(alsaNoise)))).signals,
    });
  ev.dispose();

  const inFit = sig('val');
  const outFit = sig('real-calibration');
  // Feature choice on the fitting clips only: the best 5-fold CV balanced accuracy among subsets of up to 3
  // features; the smallest subset within 0.5 pp of the best wins (fewer features, easier to explain).
  const ranked = subsets(DOMAIN_FEATURES, 3)
    .map((f) => ({ f, acc: cvAccuracy(f, inFit, outFit) }))
    .sort((a, b) => b.acc - a.acc);
  const bestAcc = ranked[0]!.acc;
  const chosen = ranked
    .filter((r) => r.acc >= bestAcc - 0.005)
    .sort((a, b) => a.f.length - b.f.length || b.acc - a.acc)[0]!;
  console.log('top feature sets (5-fold CV balanced accuracy on val + real calibration half):');
  for (const r of ranked.slice(0, 8)) console.log(`  ${(100 * r.acc).toFixed(2)} %  ${r.f.join(', ')}`);

  const command = ['npm run eval:domain', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
    ' ',
  );
  const calib = fitDomainCalibration(inFit, outFit, {
    features: chosen.f,
    noSpeech: DEFAULT_NO_SPEECH,
    provenance: {
      command,
      date: new Date().toISOString(),
      evaluators: models,
      fittedOn: {
        inDomain: `${inFit.length} synthetic val clips (${corpus})`,
        outOfDomain: `${outFit.length} real clips, calibration half (${realDir})`,
      },
      realSet: [...new Set(real.map((r) => `${r.source} (${r.lang})`))].join(', '),
      featureChoice: `5-fold CV balanced accuracy ${(100 * chosen.acc).toFixed(2)} % (best of ${ranked.length} subsets: ${(100 * bestAcc).toFixed(2)} %)`,
    },
  });

  const rate = (xs: DomainSignals[], v: DomainVerdictKind | 'not-in-domain') =>
    xs.length
      ? xs.filter((s) =>
          v === 'not-in-domain' ? assessDomain(s, calib).verdict !== 'in-domain' : assessDomain(s, calib).verdict === v,
        ).length / xs.length
      : NaN;
  const row = (name: string, xs: DomainSignals[], want: 'in-domain' | 'out-of-domain') => {
    const ok = want === 'in-domain' ? rate(xs, 'in-domain') : rate(xs, 'not-in-domain');
    return `| ${name} | ${xs.length} | ${want} | ${(100 * ok).toFixed(1)} % | ${(100 * rate(xs, 'out-of-domain')).toFixed(1)} % | ${(100 * rate(xs, 'no-speech')).toFixed(1)} % |`;
  };
  const testIn = sig('test');
  const held = sig('real-heldout');
  const sourceOf = new Map(real.map((r) => [`real:${r.id}`, r.source]));
  const heldFrom = (src: string) =>
    clips.filter((c) => c.group === 'real-heldout' && sourceOf.get(c.key) === src).map((c) => cache[c.key]!);
  const heldFillets = heldFrom('fillets-ng-data-cs');
  const heldHedgewars = heldFrom('hedgewars-data');
  const heldAsterisk = heldFrom('asterisk-core-sounds-en-g722');
  const fpr = rate([...testIn, ...sig('demo')], 'not-in-domain');
  const fnr = rate(held, 'in-domain');
  const results = {
    test: { n: testIn.length, correct: rate(testIn, 'in-domain') },
    demo: { n: sig('demo').length, correct: rate(sig('demo'), 'in-domain') },
    heldout: { n: held.length, correct: rate(held, 'not-in-domain') },
    heldoutCzechFillets: { n: heldFillets.length, correct: rate(heldFillets, 'not-in-domain') },
    heldoutEnglishHedgewars: { n: heldHedgewars.length, correct: rate(heldHedgewars, 'not-in-domain') },
    heldoutEnglishAlsa: { n: alsa.length, correct: rate(alsa, 'not-in-domain') },
    heldoutEnglishAsterisk: { n: heldAsterisk.length, correct: rate(heldAsterisk, 'not-in-domain') },
    testSpeakerFlagged: { n: sig('test_speaker').length, rate: rate(sig('test_speaker'), 'not-in-domain') },
    falsePositiveRate: fpr,
    falseNegativeRate: fnr,
  };
  calib.provenance = { ...calib.provenance, results };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(calib, null, 1) + '\n');

  const w = calib.features.map(
    (f, i) =>
      `| ${f} | ${calib.weights[i]!.toFixed(3)} | ${calib.mean[i]!.toFixed(3)} | ${calib.std[i]!.toFixed(3)} | ` +
      `${calib.typical[f]!.p10.toFixed(3)} / ${calib.typical[f]!.p50.toFixed(3)} / ${calib.typical[f]!.p90.toFixed(3)} |`,
  );
  const md = `# Out-of-domain check: calibration and held-out results

Command: \`${command}\` (${new Date().toISOString()}). Evaluators: ${models}. Calibration: ${out}.

Fitted on ${inFit.length} synthetic \`val\` clips (in domain) and ${outFit.length} real clips of the calibration half
(out of domain). Features chosen by 5-fold CV on those clips: ${calib.features.join(', ')}
(${(100 * chosen.acc).toFixed(2)} %; best subset ${(100 * bestAcc).toFixed(2)} %). Threshold P(out) ≥ ${calib.threshold.toFixed(3)},
bias ${calib.bias.toFixed(3)}. No speech: under ${calib.noSpeech.minActiveSeconds} s active, or over
${100 * calib.noSpeech.maxTonalShare} % tonal frames (fixed, not fitted).

| feature | weight | mean | std | known voices p10 / p50 / p90 |
| --- | ---: | ---: | ---: | --- |
${w.join('\n')}

## Reported (not used for fitting or choices)

| set | clips | expected | correct | out-of-domain | no-speech |
| --- | ---: | --- | ---: | ---: | ---: |
${row('synthetic test', testIn, 'in-domain')}
${row('demo clips', sig('demo'), 'in-domain')}
${row('real held-out half (all)', held, 'out-of-domain')}
${row('… Fish Fillets (Czech actors)', heldFillets, 'out-of-domain')}
${row('… Hedgewars (English, 4 actors never in calibration)', heldHedgewars, 'out-of-domain')}
${row('… alsa-utils prompts (English, 1 speaker)', alsa, 'out-of-domain')}
${row('… Asterisk prompts (English, 1 professional speaker, telephone prompts)', heldAsterisk, 'out-of-domain')}

The synthetic voice the evaluators never trained on (\`test_speaker\`, ${sig('test_speaker').length} clips): flagged on
${(100 * rate(sig('test_speaker'), 'not-in-domain')).toFixed(1)} % of clips (no speech: ${(100 * rate(sig('test_speaker'), 'no-speech')).toFixed(1)} %). Neither answer is
"right" there; it shows how far "known voices" reaches.

False-positive rate (known voices flagged, test + demo): ${(100 * fpr).toFixed(1)} %.
False-negative rate (held-out real clips called in domain): ${(100 * fnr).toFixed(1)} %.

For reference, on the fitting clips: val ${(100 * rate(inFit, 'in-domain')).toFixed(1)} % in domain, calibration half
${(100 * rate(outFit, 'not-in-domain')).toFixed(1)} % flagged.

## Made-up non-speech

| clip | verdict | score | reasons |
| --- | --- | ---: | --- |
${nonSpeechSignals
  .map(({ key, s }) => {
    const v = assessDomain(s, calib);
    return `| ${key} | ${v.verdict} | ${v.score.toFixed(2)} | ${v.reasons.join('; ')} |`;
  })
  .join('\n')}
`;
  mkdirSync(path.dirname(report), { recursive: true });
  writeFileSync(report, md);
  console.log(md);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
