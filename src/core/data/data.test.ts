import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../text/normalize';
import {
  assignSplits,
  bySplit,
  crossValidationFolds,
  DatasetError,
  decodeEntries,
  decodeEntry,
  directoryHandleSource,
  EMOTIONS,
  filesSource,
  formatReport,
  loadDataset,
  loadIemocap,
  loadManifestDataset,
  mapEmotionLabel,
  memorySource,
  parseCsv,
  parseEmoEvaluation,
  parseTranscriptions,
  parseUtteranceId,
  probeWavHeader,
  stratifiedSubset,
  summarize,
  type DatasetEntry,
  type DirectoryHandleLike,
  type FileHandleLike,
  type FileLikeBlob,
} from './index';
import { nodeDirectorySource } from './node-source';
import { encodeWav } from '../audio';

const FIX = 'tests/fixtures';
const IEMOCAP = join(FIX, 'iemocap');

describe('emotion labels', () => {
  it('maps IEMOCAP codes to the four classes, exc into happy, other emotions to null', () => {
    expect(mapEmotionLabel('neu')).toBe('neutral');
    expect(mapEmotionLabel('exc')).toBe('happy');
    expect(mapEmotionLabel('hap')).toBe('happy');
    expect(mapEmotionLabel('ANG')).toBe('angry');
    expect(mapEmotionLabel(' sad ')).toBe('sad');
    for (const other of ['fru', 'sur', 'fea', 'dis', 'oth', 'xxx', 'confused', '']) expect(mapEmotionLabel(other)).toBeNull();
    expect(EMOTIONS).toEqual(['neutral', 'sad', 'happy', 'angry']);
  });
});

describe('IEMOCAP parsing', () => {
  const labelsFile = join(IEMOCAP, 'IEMOCAP_full_release/Session1/dialog/EmoEvaluation/Ses01F_impro01.txt');
  it('reads summary label lines and ignores evaluator lines', () => {
    const labels = parseEmoEvaluation(readFileSync(labelsFile, 'utf8'));
    expect(labels.map((l) => l.label)).toEqual(['neu', 'fru', 'exc', 'ang', 'sad', 'hap', 'neu', 'zzz']);
    expect(labels[0]).toMatchObject({ utterance: 'Ses01F_impro01_F000', start: 1.5, end: 2.7, vad: [2.5, 3, 2.5] });
  });
  it('reads transcriptions with CRLF line ends', () => {
    const t = parseTranscriptions(
      readFileSync(join(IEMOCAP, 'IEMOCAP_full_release/Session1/dialog/transcriptions/Ses01F_impro01.txt'), 'utf8'),
    );
    expect(t.get('Ses01F_impro01_F000')).toBe('Excuse me.');
    expect(t.size).toBe(9);
  });
  it('parses session and speaker from utterance ids', () => {
    expect(parseUtteranceId('Ses01F_impro01_M012')).toEqual({ session: 1, speaker: 'Ses01M' });
    expect(parseUtteranceId('Ses05M_script02_2_F000')).toEqual({ session: 5, speaker: 'Ses05F' });
    expect(parseUtteranceId('nonsense')).toBeNull();
  });
});

describe('loadIemocap on the fixture release', async () => {
  const index = await loadIemocap(nodeDirectorySource(IEMOCAP));
  const byId = new Map(index.entries.map((e) => [e.id, e]));

  it('keeps the four-class clips that have audio', () => {
    expect([...byId.keys()].sort()).toEqual(
      [
        'Ses01F_impro01_F000',
        'Ses01F_impro01_F001',
        'Ses01F_impro01_F002',
        'Ses01F_impro01_M001',
        'Ses01F_impro01_M002',
        'Ses02F_impro02_F000',
        'Ses02F_impro02_M000',
        'Ses02M_impro03_F000',
        'Ses02M_impro03_M000',
        'Ses03F_impro01_F000',
        'Ses03F_impro01_M000',
      ].sort(),
    );
    expect(byId.get('Ses01F_impro01_F001')!.emotion).toBe('happy'); // exc
    expect(byId.get('Ses01F_impro01_F001')!.label).toBe('exc');
    expect(byId.get('Ses01F_impro01_M001')!.emotion).toBe('angry');
  });

  it('normalises transcripts and drops noise tags', () => {
    expect(byId.get('Ses01F_impro01_F001')!.text).toBe("yeah i've got them right here");
    expect(byId.get('Ses01F_impro01_M001')!.text).toBe('then why are you in this line');
    expect(byId.get('Ses02M_impro03_F000')!.text).toBeNull(); // dialog without a transcription file
  });

  it('assigns speakers and session folds', () => {
    expect(byId.get('Ses01F_impro01_M001')!.speaker).toBe('Ses01M');
    expect(byId.get('Ses02F_impro02_F000')!.fold).toBe(1);
    expect(byId.get('Ses03F_impro01_M000')!.fold).toBe(2);
    const durations = index.entries.map((e) => e.duration);
    expect(durations.every((d) => d !== null && d > 0.05 && d < 0.3)).toBe(true);
  });

  it('counts every defect instead of failing', () => {
    const r = index.report;
    expect(r.usable).toBe(11);
    expect(r.skipped.missing_label_file).toBe(2);
    expect(r.skipped.excluded_label).toBe(3); // fru, xxx, sur
    expect(r.skipped.unknown_label).toBe(1); // zzz
    expect(r.skipped.missing_audio).toBe(2); // F003 without wav + a transcript-only dialog
    expect(r.skipped.unreadable_audio).toBe(1);
    expect(r.skipped.missing_transcript).toBe(2);
    expect(r.droppedLabels).toEqual({ fru: 1, xxx: 1, sur: 1 });
    expect(r.seen).toBe(19);
    const text = formatReport(r);
    expect(text).toContain('11 usable clips of 19');
    expect(text).toContain('Ses02F_impro02_F001');
  });

  it('decodes clips lazily to 16 kHz mono, including a 44.1 kHz stereo file', async () => {
    const stereo = await decodeEntry(byId.get('Ses02F_impro02_M000')!);
    expect(Math.abs(stereo.length - 0.12 * 16000)).toBeLessThanOrEqual(2);
    const mono = await decodeEntry(byId.get('Ses01F_impro01_F000')!);
    expect(mono.length).toBe(Math.round(byId.get('Ses01F_impro01_F000')!.duration! * 16000));
    let peak = 0;
    for (const v of mono) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeGreaterThan(0.25);
  });

  it('gives leave-one-session-out folds', () => {
    const folds = crossValidationFolds(index.entries);
    expect(folds.map((f) => f.fold)).toEqual([0, 1, 2]);
    for (const f of folds) {
      expect(f.train.length + f.test.length).toBe(index.entries.length);
      expect(f.test.every((e) => e.id.startsWith(`Ses0${f.fold + 1}`))).toBe(true);
      expect(f.train.some((e) => e.fold === f.fold)).toBe(false);
    }
  });

  it('can keep other emotions as unlabelled clips on request', async () => {
    const all = await loadIemocap(nodeDirectorySource(IEMOCAP), { keepOtherLabels: true });
    expect(all.entries.length).toBe(14);
    expect(all.entries.find((e) => e.label === 'fru')!.emotion).toBeNull();
  });
});

describe('bad IEMOCAP input', () => {
  it('throws a readable DatasetError with the report when no clip is usable', async () => {
    const src = memorySource({
      'Session1/dialog/EmoEvaluation/Ses01F_impro01.txt': '[1.0 - 2.0]\tSes01F_impro01_F000\tfru\t[1, 2, 3]\n',
      'Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav': encodeWav(new Float32Array(160), 16000),
    });
    const err = await loadIemocap(src).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).message).toMatch(/No usable IEMOCAP clips/);
    expect((err as DatasetError).report!.skipped.excluded_label).toBe(1);
  });
  it('says what layout it expected for an unrelated folder', async () => {
    await expect(loadIemocap(memorySource({ 'notes.txt': 'hi' }))).rejects.toThrow(/EmoEvaluation/);
    await expect(loadDataset(memorySource({ 'notes.txt': 'hi' }))).rejects.toThrow(/neither an IEMOCAP/);
  });
});

describe('generic manifests', () => {
  it('parses quoted CSV fields', () => {
    const rows = parseCsv('path,text\r\na.wav,"She said ""no"", twice"\r\nb.wav,plain\n');
    expect(rows).toEqual([
      { path: 'a.wav', text: 'She said "no", twice' },
      { path: 'b.wav', text: 'plain' },
    ]);
    expect(parseCsv('path;emotion\nx.wav;sad\n')).toEqual([{ path: 'x.wav', emotion: 'sad' }]);
  });

  it('loads a CSV manifest next to its audio and reports skipped rows', async () => {
    const index = await loadManifestDataset(nodeDirectorySource(join(FIX, 'manifest')));
    const got = Object.fromEntries(index.entries.map((e) => [e.path, [e.emotion, e.text, e.speaker, e.split]]));
    expect(got).toEqual({
      'audio/a1.wav': ['neutral', 'hello there friend', 'spk1', 'train'],
      'audio/a2.wav': ['sad', 'she said no twice', 'spk1', 'train'],
      'audio/a3.wav': ['happy', 'what a day', 'spk2', 'val'],
      'audio/sub/a4.wav': ['angry', 'get out', 'spk2', 'test'],
      'audio/a6.wav': ['happy', null, 'spk3', 'test'],
    });
    const r = index.report;
    expect(r.seen).toBe(9);
    expect(r.skipped).toMatchObject({ unknown_label: 1, missing_audio: 1, bad_row: 1, unreadable_audio: 1 });
    expect(r.examples.unknown_label![0]).toContain('confused');
  });

  it('loads JSONL with alternative column names and paths relative to the manifest', async () => {
    const index = await loadManifestDataset(nodeDirectorySource(join(FIX, 'manifest')), {
      manifestPath: 'jsonl/metadata.jsonl',
    });
    expect(index.entries.map((e) => e.path)).toEqual(['audio/a1.wav', 'audio/a3.wav', 'audio/sub/a4.wav']);
    expect(index.entries[1]!.meta).toEqual({ extra: 42 });
    expect(index.report.skipped.bad_row).toBe(1);
  });
});

describe('the synthetic corpus fixture (10 clips) through the same API', async () => {
  const index = await loadDataset(nodeDirectorySource(join(FIX, 'corpus10')));
  it('loads every clip with its split, voice and prosody', () => {
    expect(index.format).toBe('manifest');
    expect(index.entries.length).toBe(10);
    expect(index.report.usable).toBe(10);
    for (const e of index.entries) {
      expect(['train', 'val', 'test', 'test_speaker']).toContain(e.split);
      expect(typeof e.meta.voice).toBe('string');
      expect(e.meta.prosody).toBeTypeOf('object');
      expect(e.text).toBe(normalizeText(e.text!));
      expect(e.duration).toBeGreaterThan(0.5);
    }
  });
  it('decodes a clip whose length matches its manifest duration', async () => {
    const e = index.entries[0]!;
    const x = await decodeEntry(e);
    expect(x.length / 16000).toBeCloseTo(e.duration!, 3);
  });
});

/** Browser-shaped sources over the fixture files: the same parsers must give the same index. */
function fakeFile(abs: string, rel: string): FileLikeBlob {
  const bytes = readFileSync(abs);
  const ab = (a: number, b: number) => bytes.buffer.slice(bytes.byteOffset + a, bytes.byteOffset + b) as ArrayBuffer;
  return {
    name: rel.split('/').pop()!,
    size: bytes.length,
    webkitRelativePath: rel,
    arrayBuffer: async () => ab(0, bytes.length),
    slice: (s = 0, e = bytes.length) => ({ arrayBuffer: async () => ab(s, Math.min(e, bytes.length)) }),
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('browser file sources', () => {
  const ids = (entries: DatasetEntry[]) => entries.map((e) => `${e.id}:${e.emotion}:${e.text}`).sort();

  it('a picked folder (webkitRelativePath) gives the same IEMOCAP index as Node', async () => {
    const files = walk(IEMOCAP).map((abs) => fakeFile(abs, `picked/${relative(IEMOCAP, abs).split(sep).join('/')}`));
    const src = filesSource(files);
    expect(src.name).toBe('picked');
    const fromBrowser = await loadDataset(src);
    const fromNode = await loadDataset(nodeDirectorySource(IEMOCAP));
    expect(fromBrowser.format).toBe('iemocap');
    expect(ids(fromBrowser.entries)).toEqual(ids(fromNode.entries));
    expect(fromBrowser.report.skipped).toEqual(fromNode.report.skipped);
  });

  it('a directory handle (File System Access API) opens files only when read', async () => {
    const root = join(FIX, 'manifest');
    let opened = 0;
    const handle = (dir: string, name: string): DirectoryHandleLike => ({
      kind: 'directory',
      name,
      async *values() {
        for (const n of readdirSync(dir).sort()) {
          const p = join(dir, n);
          if (statSync(p).isDirectory()) yield handle(p, n);
          else {
            const fh: FileHandleLike = {
              kind: 'file',
              name: n,
              getFile: async () => {
                opened++;
                return fakeFile(p, n);
              },
            };
            yield fh;
          }
        }
      },
    });
    const index = await loadDataset(directoryHandleSource(handle(root, 'manifest')), { probe: false });
    // Without header probing the truncated broken.wav is only found when it is decoded.
    expect(index.entries.length).toBe(6);
    expect(opened).toBe(1); // only the manifest itself
    const x = await decodeEntry(index.entries[0]!);
    expect(x.length).toBe(1600);
    expect(opened).toBe(2);
    const broken = index.entries.find((e) => e.path === 'audio/broken.wav')!;
    await expect(decodeEntry(broken)).rejects.toThrow(/Could not decode audio\/broken\.wav/);
    const failures: string[] = [];
    const decoded = [];
    for await (const [e] of decodeEntries(index.entries, { onError: (e) => failures.push(e.path) })) decoded.push(e.id);
    expect(decoded.length).toBe(5);
    expect(failures).toEqual(['audio/broken.wav']);
  });
});

describe('splits and subsets', () => {
  const entries = Array.from({ length: 200 }, (_, i) => ({
    id: `c${i}`,
    emotion: EMOTIONS[i < 100 ? 0 : i < 150 ? 1 : i < 180 ? 2 : 3]!,
    text: `sentence ${i % 50}`,
    split: null as string | null,
  }));

  it('stratifiedSubset keeps class proportions, is seeded, and varies with the seed', () => {
    const a = stratifiedSubset(entries, 40, 1);
    const count = (xs: typeof entries) => EMOTIONS.map((e) => xs.filter((x) => x.emotion === e).length);
    expect(count(a)).toEqual([20, 10, 6, 4]);
    expect(stratifiedSubset(entries, 40, 1).map((x) => x.id)).toEqual(a.map((x) => x.id));
    expect(stratifiedSubset(entries, 40, 2).map((x) => x.id)).not.toEqual(a.map((x) => x.id));
    expect(new Set(a.map((x) => x.id)).size).toBe(40);
  });

  it('balanced subsets give equal shares and redistribute what a small class lacks', () => {
    const b = stratifiedSubset(entries, 100, 3, { balanced: true });
    const n = (e: string) => b.filter((x) => x.emotion === e).length;
    expect(b.length).toBe(100);
    expect(n('angry')).toBe(20); // all it has
    expect(n('neutral') + n('sad') + n('happy')).toBe(80);
    expect(Math.max(n('neutral'), n('sad'), n('happy')) - Math.min(n('neutral'), n('sad'), n('happy'))).toBeLessThanOrEqual(1);
    expect(stratifiedSubset(entries, 10_000, 3).length).toBe(200);
  });

  it('assignSplits keeps every sentence in one split', () => {
    const s = assignSplits(entries, 7);
    const splitOf = new Map<string, string>();
    for (const e of s) {
      const prev = splitOf.get(e.text);
      if (prev) expect(e.split).toBe(prev);
      splitOf.set(e.text, e.split);
    }
    expect(new Set(s.map((e) => e.split)).size).toBeGreaterThan(1);
  });

  it('bySplit keeps one split, and of it only the speakers asked for', () => {
    const e = (id: string, split: string, speaker: string) => ({ id, split, speaker });
    const all = [e('a', 'train', 'x'), e('b', 'train', 'y'), e('c', 'val', 'x'), e('d', 'train', 'z')];
    expect(bySplit(all, 'train').map((x) => x.id)).toEqual(['a', 'b', 'd']);
    expect(bySplit(all, 'train', null).map((x) => x.id)).toEqual(['a', 'b', 'd']);
    expect(bySplit(all, 'train', []).map((x) => x.id)).toEqual(['a', 'b', 'd']);
    expect(bySplit(all, 'train', ['x', 'z']).map((x) => x.id)).toEqual(['a', 'd']);
    expect(bySplit(all, 'val', ['y'])).toEqual([]);
  });

  it('summarize counts clips and hours', () => {
    const s = summarize([
      { id: 'a', path: 'a', text: null, emotion: 'sad', label: 'sad', speaker: 'x', split: 'train', fold: null, duration: 1800, meta: {}, read: async () => new ArrayBuffer(0) },
      { id: 'b', path: 'b', text: null, emotion: 'sad', label: 'sad', speaker: 'y', split: 'test', fold: null, duration: 1800, meta: {}, read: async () => new ArrayBuffer(0) },
    ]);
    expect(s).toMatchObject({ clips: 2, hours: 1, byEmotion: { sad: 2 }, bySplit: { train: 1, test: 1 } });
  });
});

describe('WAV header probe', () => {
  it('finds the duration from the header alone and rejects non-WAV bytes', () => {
    const wav = encodeWav(new Float32Array(8000), 16000);
    const p = probeWavHeader(wav.slice(0, 64).buffer, wav.length);
    expect(p).toEqual({ ok: true, header: { sampleRate: 16000, channels: 1, bitsPerSample: 16, duration: 0.5 } });
    expect(probeWavHeader(new TextEncoder().encode('hello world!').buffer).ok).toBe(false);
    expect(probeWavHeader(new ArrayBuffer(0))).toEqual({ ok: false, reason: 'empty file' });
  });
});
