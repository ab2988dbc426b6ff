/**
 * Generates (or resumes) a corpus into a folder: config.json first, then clips/<split>/<id>.wav each followed by its
 * <id>.json render record, then manifest.jsonl and finally DONE. A clip counts as rendered only when its record exists
 * (the record is written after the WAV is renamed into place), so a killed run resumes where it stopped.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestRecord } from '../../src/core/data/types';
import { planCorpus, spreadSubset, type CorpusConfig, type PlannedClip } from './plan';
import { renderBatch, type RenderResult } from './render';
import { isNatural, loadLexicon, loadWordnetSentences } from './sentences';
import { toolVersions } from './deps';
import { voiceById } from './voices';

export interface GenerateOptions {
  out: string;
  config: CorpusConfig;
  /** Render only this many clips, spread evenly over the plan (quick runs, fixtures, tests). */
  limit?: number;
  /** Parallel synthesis lanes. */
  jobs: number;
  batchSize?: number;
  log: (s: string) => void;
}

export interface GenerateSummary {
  planned: number;
  rendered: number;
  skipped: number;
  failed: Array<{ id: string; error: string }>;
  seconds: number;
  manifest: string;
}

/** The sentence pool: clean WordNet examples that read as everyday sentences. */
export function sentencePool() {
  const lex = loadLexicon();
  return loadWordnetSentences().filter((s) => isNatural(s, lex, 5));
}

function recordPath(out: string, clip: PlannedClip): string {
  return join(out, clip.path.replace(/\.wav$/, '.json'));
}

export async function generateCorpus(opts: GenerateOptions): Promise<GenerateSummary> {
  const t0 = Date.now();
  const { out, config, log } = opts;
  mkdirSync(out, { recursive: true });
  const pool = sentencePool();
  let plan = planCorpus(pool, config);
  if (opts.limit !== undefined) plan = spreadSubset(plan, opts.limit);

  // A folder belongs to one config: resuming with different settings would mix two corpora.
  const cfgPath = join(out, 'config.json');
  const cfgJson = { config, limit: opts.limit ?? null, pool: pool.length, planned: plan.length };
  if (existsSync(cfgPath)) {
    const prev = JSON.parse(readFileSync(cfgPath, 'utf8')) as { config: unknown; limit: unknown };
    if (JSON.stringify(prev.config) !== JSON.stringify(config) || prev.limit !== (opts.limit ?? null)) {
      throw new Error(
        `${out} holds a corpus made with other settings (see config.json); use another --out or delete it`,
      );
    }
  } else {
    writeFileSync(cfgPath, JSON.stringify({ ...cfgJson, tools: toolVersions(config.piper === true) }, null, 2) + '\n');
  }
  rmSync(join(out, 'DONE'), { force: true });

  const pending = plan.filter((c) => !existsSync(recordPath(out, c)) || !existsSync(join(out, c.path)));
  const skipped = plan.length - pending.length;
  log(`plan: ${plan.length} clips, ${skipped} already rendered, ${pending.length} to render, ${opts.jobs} lanes`);

  // Batches of one voice (festival loads its voice once per batch), interleaved so lanes mix engines.
  const batchSize = opts.batchSize ?? 24;
  const byVoice = new Map<string, PlannedClip[]>();
  for (const c of pending) byVoice.set(c.voice, [...(byVoice.get(c.voice) ?? []), c]);
  const batches: PlannedClip[][] = [];
  const queues = [...byVoice.values()].map((clips) => {
    const bs: PlannedClip[][] = [];
    for (let i = 0; i < clips.length; i += batchSize) bs.push(clips.slice(i, i + batchSize));
    return bs;
  });
  for (let k = 0; queues.some((q) => k < q.length); k++) for (const q of queues) if (k < q.length) batches.push(q[k]!);

  const failed: Array<{ id: string; error: string }> = [];
  let done = 0;
  let next = 0;
  let lastLog = Date.now();
  const scratch = join(out, '.scratch');
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const results = await renderBatch(
        batch.map((c) => ({ text: c.tts, prosody: c.prosody, voice: voiceById(c.voice), out: join(out, c.path) })),
        scratch,
      );
      results.forEach((r, i) => {
        const c = batch[i]!;
        if (r.ok) writeFileSync(recordPath(out, c), JSON.stringify(r.result) + '\n');
        else {
          failed.push({ id: c.id, error: r.error });
          log(`FAILED ${c.id}: ${r.error}`);
        }
      });
      done += batch.length;
      if (Date.now() - lastLog > 30_000 || done === pending.length) {
        lastLog = Date.now();
        const el = (Date.now() - t0) / 1000;
        const eta = done > 0 ? ((pending.length - done) * el) / done : 0;
        log(`${done}/${pending.length} rendered (${el.toFixed(0)} s elapsed, ~${(eta / 60).toFixed(1)} min left)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, lane));
  rmSync(scratch, { recursive: true, force: true });

  // Manifest from the plan plus each clip's render record: only clips that exist on disk are listed.
  const lines: string[] = [];
  for (const c of plan) {
    const rp = recordPath(out, c);
    if (!existsSync(rp) || !existsSync(join(out, c.path))) continue;
    const r = JSON.parse(readFileSync(rp, 'utf8')) as RenderResult;
    const rec: ManifestRecord = {
      id: c.id,
      path: c.path,
      text: c.text,
      emotion: c.emotion,
      voice: c.voice,
      speaker: c.speaker,
      split: c.split,
      seed: c.seed,
      duration: r.duration,
      prosody: { ...c.prosody, levelDb: r.levelDb, limited: r.limited },
    };
    lines.push(JSON.stringify(rec));
  }
  const manifest = join(out, 'manifest.jsonl');
  writeFileSync(`${manifest}.tmp`, lines.join('\n') + '\n');
  renameSync(`${manifest}.tmp`, manifest);
  writeFileSync(join(out, 'failures.json'), JSON.stringify(failed, null, 2) + '\n');
  if (failed.length === 0 && lines.length === plan.length)
    writeFileSync(join(out, 'DONE'), new Date().toISOString() + '\n');
  else
    log(`NOT complete: ${plan.length - lines.length} of ${plan.length} clips missing (failures.json); rerun to retry`);
  return {
    planned: plan.length,
    rendered: pending.length - failed.length,
    skipped,
    failed,
    seconds: (Date.now() - t0) / 1000,
    manifest,
  };
}
