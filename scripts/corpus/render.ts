/**
 * Rendering one clip: the TTS engine speaks the sentence with its own pitch/range/rate controls, sox applies what the
 * engine cannot (pitch shift for voices without F0 control, spectral tilt, resampling to 16 kHz), and the level is set
 * in TS relative to a reference speech level, then written as 16-bit PCM with the shared WAV encoder. Every step is
 * deterministic (no dither, fixed sox settings), so a seed gives byte-identical files.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { encodeWav, SAMPLE_RATE } from '../../src/core/audio';
import { speechLevel } from './analysis';
import type { Prosody } from './prosody';
import type { Voice } from './voices';

/** Reference speech-active level in dBFS; each clip lands at REFERENCE_DB + its drawn gain. */
export const REFERENCE_DB = -26;
/** Peak ceiling in dBFS: a clip whose gain would push its peak above this is turned down (recorded as `limited`). */
export const PEAK_CEILING_DB = -1;
/** Fixed headroom before sox's filters so shelf boosts never clip inside sox; the level is set afterwards anyway. */
const SOX_HEADROOM_DB = -10;

export interface RenderJob {
  text: string;
  prosody: Prosody;
  voice: Voice;
  /** Final 16 kHz WAV path. */
  out: string;
}

export interface RenderResult {
  duration: number;
  /** Speech-active level actually reached, dBFS. */
  levelDb: number;
  /** True when the peak ceiling, not the drawn gain, set the level. */
  limited: boolean;
}

/** Runs a tool to completion; `input` goes to its stdin. Resolves with its stdout, rejects with its last stderr lines. */
function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else {
        const msg = Buffer.concat(err).toString().trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`${cmd} exited with ${code ?? signal}: ${msg}`));
      }
    });
    // A tool that exits without reading its stdin is judged by its exit code, not by the broken pipe.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input);
  });
}

const fmt = (x: number, digits = 3) => x.toFixed(digits);

/** F0 targets for engines with F0 control: shift the mean, scale the spread in semitone terms. */
function f0Targets(voice: Voice, p: Prosody): { mean: number; std: number } | null {
  if (!voice.f0) return null;
  const k = 2 ** (p.pitch / 12);
  return { mean: voice.f0.mean * k, std: voice.f0.std * k * p.range };
}

/** Whether sox has to shift pitch for this voice (its engine ignores F0 targets). */
function soxPitchCents(voice: Voice, p: Prosody): number {
  return voice.f0 ? 0 : Math.round(p.pitch * 100);
}

async function fliteRaw(job: RenderJob, raw: string): Promise<void> {
  const args = ['-voice', job.voice.name, '--setf', `duration_stretch=${fmt(1 / job.prosody.tempo, 4)}`];
  const t = f0Targets(job.voice, job.prosody);
  if (t) args.push('--setf', `int_f0_target_mean=${fmt(t.mean, 2)}`, '--setf', `int_f0_target_stddev=${fmt(t.std, 2)}`);
  args.push('-t', job.text, '-o', raw);
  await run('flite', args);
}

async function espeakRaw(job: RenderJob, raw: string): Promise<void> {
  // espeak-ng: -p is 0–99 around 50 (roughly 0.4 st per step here), -s words per minute around 175.
  const p = Math.round(Math.min(99, Math.max(0, 50 + job.prosody.pitch * 2.5)));
  const s = Math.round(175 * job.prosody.tempo);
  await run('espeak-ng', ['-v', job.voice.name, '-p', String(p), '-s', String(s), '-w', raw, job.text]);
}

function schemeString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Festival is slow to start (it loads the voice), so one process renders a batch. Every utterance sets all of its
 * parameters explicitly, so a clip's audio does not depend on which batch it was in (checked by the determinism test).
 */
async function festivalRawBatch(jobs: Array<{ job: RenderJob; raw: string }>, scratch: string): Promise<void> {
  if (jobs.length === 0) return;
  const voice = jobs[0]!.job.voice;
  const lines = [`(voice_${voice.name})`];
  const hts = voice.name.includes('hts');
  if (hts) lines.push('(set! aclipse_hts_base hts_engine_params)');
  // The diphone voices ship with Duration_Stretch 1.1; the HTS voice with 1.0.
  const baseStretch = hts ? 1.0 : 1.1;
  for (const { job, raw } of jobs) {
    const p = job.prosody;
    if (hts) {
      lines.push(`(Parameter.set 'Duration_Stretch ${baseStretch})`);
      lines.push(`(set! hts_engine_params (append aclipse_hts_base (list (list "-r" ${fmt(p.tempo, 4)}))))`);
    } else {
      lines.push(`(Parameter.set 'Duration_Stretch ${fmt(baseStretch / p.tempo, 4)})`);
      const t = f0Targets(voice, p)!;
      lines.push(
        `(set! int_lr_params '((target_f0_mean ${fmt(t.mean, 2)}) (target_f0_std ${fmt(t.std, 2)}) ` +
          `(model_f0_mean 170) (model_f0_std 34)))`,
      );
    }
    lines.push(`(utt.save.wave (SynthText ${schemeString(job.text)}) ${schemeString(raw)} 'riff)`);
  }
  const script = join(scratch, `batch-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}.scm`);
  writeFileSync(script, lines.join('\n') + '\n');
  try {
    await run('festival', ['-b', script], { timeoutMs: 60_000 + jobs.length * 20_000 });
  } finally {
    rmSync(script, { force: true });
  }
}

/** voices/.venv's python (npm run setup:voices) and the batch script beside it. */
export const VOICES_PYTHON = resolve('voices/.venv/bin/python');
const PIPER_BATCH = resolve('voices/piper_batch.py');

/** Piper loads its voice per clip (seeded; see piper_batch.py), but Python and onnxruntime start once per batch. */
async function piperRawBatch(jobs: Array<{ job: RenderJob; raw: string }>): Promise<void> {
  if (jobs.length === 0) return;
  const request = {
    voice: jobs[0]!.job.voice.name,
    jobs: jobs.map(({ job, raw }) => ({
      text: job.text,
      lengthScale: Number(fmt(1 / job.prosody.tempo, 4)),
      out: raw,
    })),
  };
  // Per-clip failures show up as missing files; only a batch with nothing rendered exits non-zero.
  await run(VOICES_PYTHON, [PIPER_BATCH], { input: JSON.stringify(request), timeoutMs: 60_000 + jobs.length * 10_000 });
}

/** sox: optional pitch shift, tilt shelves, resample to 16 kHz mono; 32-bit float raw on stdout. */
async function soxToFloat(raw: string, voice: Voice, p: Prosody): Promise<Float32Array> {
  const effects: string[] = ['gain', String(SOX_HEADROOM_DB)];
  const cents = soxPitchCents(voice, p);
  if (cents !== 0) effects.push('pitch', String(cents));
  if (p.tiltDb !== 0) {
    effects.push('bass', fmt(-p.tiltDb / 2, 3), '700', 'treble', fmt(p.tiltDb / 2, 3), '1400');
  }
  effects.push('rate', '-h', String(SAMPLE_RATE));
  const buf = await run('sox', ['-D', '-V1', raw, '-t', 'f32', '-c', '1', '-'].concat(['remix', '-'], effects));
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

/** Sets the level, encodes and writes atomically (tmp + rename) so an interrupted run never leaves a half file. */
async function finish(raw: string, job: RenderJob): Promise<RenderResult> {
  const x = await soxToFloat(raw, job.voice, job.prosody);
  const lvl = speechLevel(x);
  if (!Number.isFinite(lvl.activeDb) || lvl.peak === 0) throw new Error(`silent output for "${job.text}"`);
  let gain = 10 ** ((REFERENCE_DB + job.prosody.gainDb - lvl.activeDb) / 20);
  const ceiling = 10 ** (PEAK_CEILING_DB / 20);
  let limited = false;
  if (lvl.peak * gain > ceiling) {
    gain = ceiling / lvl.peak;
    limited = true;
  }
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * gain;
  mkdirSync(dirname(job.out), { recursive: true });
  const tmp = `${job.out}.tmp`;
  writeFileSync(tmp, encodeWav(x, SAMPLE_RATE));
  renameSync(tmp, job.out);
  return {
    duration: Number((x.length / SAMPLE_RATE).toFixed(4)),
    levelDb: Number((lvl.activeDb + 20 * Math.log10(gain)).toFixed(2)),
    limited,
  };
}

export type BatchOutcome = { ok: true; result: RenderResult } | { ok: false; error: string };

/**
 * Renders a batch of clips of one voice. Failures are per clip (a word an engine cannot say must not sink the batch):
 * a failed festival batch is retried one clip at a time before a clip is reported as failed; a Piper clip that is
 * missing after its batch is reported as failed.
 */
export async function renderBatch(jobs: RenderJob[], scratch: string): Promise<BatchOutcome[]> {
  mkdirSync(scratch, { recursive: true });
  const raws = jobs.map((_, i) =>
    join(scratch, `raw-${process.pid}-${Date.now()}-${i}-${Math.floor(Math.random() * 1e9)}.wav`),
  );
  const outcomes: BatchOutcome[] = [];
  try {
    const engine = jobs[0]?.voice.engine;
    if (engine === 'piper') await piperRawBatch(jobs.map((job, i) => ({ job, raw: raws[i]! }))).catch(() => {});
    if (engine === 'festival') {
      try {
        await festivalRawBatch(
          jobs.map((job, i) => ({ job, raw: raws[i]! })),
          scratch,
        );
      } catch {
        for (let i = 0; i < jobs.length; i++) {
          if (!existsSync(raws[i]!))
            await festivalRawBatch([{ job: jobs[i]!, raw: raws[i]! }], scratch).catch(() => {});
        }
      }
    }
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      const raw = raws[i]!;
      try {
        if (engine === 'flite') await fliteRaw(job, raw);
        else if (engine === 'espeak-ng') await espeakRaw(job, raw);
        if (!existsSync(raw)) throw new Error(`${job.voice.engine} produced no audio`);
        outcomes.push({ ok: true, result: await finish(raw, job) });
      } catch (e) {
        outcomes.push({ ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    }
  } finally {
    for (const r of raws) rmSync(r, { force: true });
  }
  return outcomes;
}
