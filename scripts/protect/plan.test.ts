import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outputRel, planOutputs, realLocation, type OutputPlan } from './plan';
import { OutputExistsError, writeFileAtomic } from './write';

let root: string;
let inDir: string;

function put(rel: string, content = 'x'): string {
  const p = path.join(inDir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

const outs = (plan: OutputPlan) => plan.files.map((f) => path.relative(plan.outDir, f.output));
const reasons = (plan: OutputPlan) => Object.fromEntries(plan.skipped.map((s) => [s.rel, s.reason]));

beforeEach(() => {
  root = realLocation(mkdtempSync(path.join(tmpdir(), 'protect-plan-')));
  inDir = path.join(root, 'in');
  mkdirSync(inDir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('outputRel', () => {
  it('always ends in .wav, with the suffix before it', () => {
    expect(outputRel('a.mp3')).toBe('a.wav');
    expect(outputRel(path.join('sub', 'a.MP3'), '-protected')).toBe(path.join('sub', 'a-protected.wav'));
    expect(outputRel('talk.final.flac', '-p')).toBe('talk.final-p.wav');
  });
});

describe('planOutputs', () => {
  it('maps a folder recursively, keeping the layout, and lists every non-audio file as skipped', () => {
    put('a.wav');
    put('sub/b.mp3');
    put('sub/deeper/c.FLAC');
    put('notes.txt');
    put('.hidden.wav');
    put('.cache/d.wav');
    const plan = planOutputs({ input: inDir, outDir: path.join(root, 'out') });
    expect(plan.refusals).toEqual([]);
    expect(outs(plan)).toEqual(['a.wav', path.join('sub', 'b.wav'), path.join('sub', 'deeper', 'c.wav')]);
    expect(reasons(plan)).toEqual({ 'notes.txt': 'unsupported-extension' });
  });

  it('refuses an output folder equal to the input when names stay the same, and allows it with a suffix', () => {
    put('a.wav');
    put('b.mp3');
    const same = planOutputs({ input: inDir, outDir: inDir });
    expect(same.refusals).toHaveLength(1);
    expect(same.refusals[0]).toContain('would overwrite the input “a.wav”');
    // b.mp3 → b.wav is a new name: only a.wav is in the way.
    const suffixed = planOutputs({ input: inDir, outDir: inDir, suffix: '-protected' });
    expect(suffixed.refusals).toEqual([]);
    expect(outs(suffixed)).toEqual(['a-protected.wav', 'b-protected.wav']);
  });

  it('--force replaces existing outputs but never an input', () => {
    put('a.wav');
    const out = path.join(root, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'a.wav'), 'old output');
    const plain = planOutputs({ input: inDir, outDir: out });
    expect(plain.refusals).toHaveLength(1);
    expect(plain.refusals[0]).toContain('already exists; pass --force');
    expect(planOutputs({ input: inDir, outDir: out, force: true }).refusals).toEqual([]);
    expect(planOutputs({ input: inDir, outDir: inDir, force: true }).refusals[0]).toContain(
      'would overwrite the input',
    );
  });

  it('treats an extension differing only in case as the same file', () => {
    put('Talk.WAV');
    const plan = planOutputs({ input: inDir, outDir: inDir, force: true });
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toContain('“Talk.WAV”');
  });

  it('skips every input of a collision (a.wav + a.mp3, and A.ogg + a.flac) and keeps the rest', () => {
    put('a.wav');
    put('a.mp3');
    put('X.ogg');
    put('x.flac');
    put('z.wav');
    const plan = planOutputs({ input: inDir, outDir: path.join(root, 'out') });
    expect(plan.refusals).toEqual([]);
    expect(outs(plan)).toEqual(['z.wav']);
    expect(reasons(plan)).toEqual({
      'a.mp3': 'collides',
      'a.wav': 'collides',
      'X.ogg': 'collides',
      'x.flac': 'collides',
    });
    expect(plan.skipped.find((s) => s.rel === 'a.mp3')?.message).toContain('“a.mp3” and “a.wav”');
  });

  it('allows an output folder inside the input, and does not walk it', () => {
    put('a.wav');
    const out = path.join(inDir, 'protected');
    mkdirSync(out);
    writeFileSync(path.join(out, 'old.wav'), 'earlier output');
    const plan = planOutputs({ input: inDir, outDir: out });
    expect(plan.refusals).toEqual([]);
    expect(plan.files.map((f) => f.rel)).toEqual(['a.wav']);
  });

  it('sees through symlinks: an output folder linked to the input, and an output name linked to an input', () => {
    put('a.wav');
    put('b.mp3');
    const link = path.join(root, 'link-to-in');
    symlinkSync(inDir, link);
    const viaLink = planOutputs({ input: inDir, outDir: link });
    expect(viaLink.refusals.join('\n')).toContain('would overwrite the input “a.wav”');

    const out = path.join(root, 'out');
    mkdirSync(out);
    // out/b.wav (the output of b.mp3) is a link to the input a.wav: even --force must not write there.
    symlinkSync(path.join(inDir, 'a.wav'), path.join(out, 'b.wav'));
    const linked = planOutputs({ input: inDir, outDir: out, force: true });
    expect(linked.refusals).toHaveLength(1);
    expect(linked.refusals[0]).toContain(path.join(out, 'b.wav'));
  });

  it('says that an earlier output found inside the input folder needs a separate --out', () => {
    put('a.mp3');
    put('a-protected.wav');
    const plan = planOutputs({ input: inDir, outDir: inDir, suffix: '-protected', force: true });
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toContain('separate --out folder');
  });

  it('checks the JSON report path like an output', () => {
    const a = put('a.wav');
    const out = path.join(root, 'out');
    expect(planOutputs({ input: inDir, outDir: out, extraOutputs: [a], force: true }).refusals).toEqual([
      `Report ${a} has an audio file's extension; name it .json.`,
    ]);
    const notes = put('notes.txt', 'mine');
    expect(planOutputs({ input: inDir, outDir: out, extraOutputs: [notes] }).refusals[0]).toContain(
      'already exists; pass --force',
    );
    mkdirSync(out);
    symlinkSync(path.join(inDir, 'a.wav'), path.join(out, 'r.json'));
    expect(
      planOutputs({ input: inDir, outDir: out, extraOutputs: [path.join(out, 'r.json')], force: true }).refusals[0],
    ).toContain('would overwrite the input');
    expect(planOutputs({ input: inDir, outDir: out, extraOutputs: [path.join(root, 'r.json')] }).refusals).toEqual([]);
  });

  it('plans a single file next to its folder', () => {
    const a = put('sub/a.m4a');
    const plan = planOutputs({ input: a, outDir: path.join(inDir, 'sub'), suffix: '-p' });
    expect(plan.refusals).toEqual([]);
    expect(plan.files.map((f) => [f.rel, f.outRel])).toEqual([['a.m4a', 'a-p.wav']]);
    expect(() => planOutputs({ input: a, outDir: root, suffix: '../x' })).toThrow(/path separators/);
    expect(() => planOutputs({ input: path.join(inDir, 'missing.wav'), outDir: root })).toThrow(/does not exist/);
  });
});

describe('writeFileAtomic', () => {
  it('never replaces an existing file without overwrite, and leaves no temp file behind', async () => {
    const dest = path.join(root, 'o', 'a.wav');
    await writeFileAtomic(dest, new Uint8Array([1, 2, 3]));
    await expect(writeFileAtomic(dest, new Uint8Array([9]))).rejects.toBeInstanceOf(OutputExistsError);
    expect([...readFileSync(dest)]).toEqual([1, 2, 3]);
    await writeFileAtomic(dest, new Uint8Array([4, 5]), { overwrite: true });
    expect([...readFileSync(dest)]).toEqual([4, 5]);
    expect(readdirSync(path.dirname(dest))).toEqual(['a.wav']);
  });

  it('refuses to replace a protected file even with overwrite, also through a link', async () => {
    const input = put('a.wav', 'original');
    const st = statSync(input);
    const ids = new Set([`${st.dev}:${st.ino}`]);
    const link = path.join(root, 'link.wav');
    symlinkSync(input, link);
    for (const dest of [input, link]) {
      await expect(writeFileAtomic(dest, 'protected', { overwrite: true, protectedIds: ids })).rejects.toBeInstanceOf(
        OutputExistsError,
      );
    }
    expect(readFileSync(input, 'utf8')).toBe('original');
    expect(readdirSync(inDir)).toEqual(['a.wav']);
  });
});
