import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../core/audio';
import { editCounts } from '../../core/metrics/scores';
import { clause, db, etaSeconds, formatEta, pct } from '../format';
import {
  bandBars,
  contrastRatio,
  extent,
  formatTick,
  heatCells,
  linePath,
  linearScale,
  niceDomain,
  parseHex,
  recallFromConfusion,
  rowPercents,
  shareAbove,
} from './charts';
import { describeDiff, diffWords, fromAlignment, summarizeOps, words } from './diff';
import {
  crc32,
  csvField,
  protectedFileName,
  recordsToCsv,
  rowsCsv,
  summaryCsv,
  toCsv,
  toJson,
  uniqueNames,
  unzipStore,
  zipStore,
  type EvaluationExport,
} from './export';
import {
  colorAt,
  F0_VIEW,
  f0Polylines,
  f0Ticks,
  f0Y,
  freqTicks,
  freqY,
  legendTicks,
  sharedDbRange,
  spectrogramPixels,
} from './spectrogram';

describe('word diff', () => {
  it('marks substitutions, deletions and insertions in reading order', () => {
    const d = diffWords('the cat sat on the mat', 'the bat sat the mat today');
    expect(d.ops.map((o) => o.op)).toEqual(['same', 'sub', 'same', 'del', 'same', 'same', 'ins']);
    expect(d.ops[1]).toEqual({ op: 'sub', ref: 'cat', hyp: 'bat' });
    expect(d.ops[3]).toEqual({ op: 'del', ref: 'on' });
    expect(d.ops[6]).toEqual({ op: 'ins', hyp: 'today' });
    expect(d.wer).toBeCloseTo(3 / 6);
    expect(describeDiff(d)).toBe('4 of 6 words unchanged; 1 changed, 1 missing, 1 added.');
  });

  it('counts the same errors as the WER metric on random sentences', () => {
    const vocab = ['a', 'b', 'c', 'd', 'e'];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 200; trial++) {
      const sentence = (n: number) =>
        Array.from({ length: n }, () => vocab[Math.floor(rnd() * vocab.length)]).join(' ');
      const ref = sentence(Math.floor(rnd() * 8));
      const hyp = sentence(Math.floor(rnd() * 8));
      const d = diffWords(ref, hyp);
      const e = editCounts(words(ref), words(hyp));
      expect(d.substitutions + d.deletions + d.insertions).toBe(e.substitutions + e.deletions + e.insertions);
      // Reading the ops back gives both sentences.
      expect(d.ops.flatMap((o) => ('ref' in o ? [o.ref] : [])).join(' ')).toBe(words(ref).join(' '));
      expect(d.ops.flatMap((o) => ('hyp' in o ? [o.hyp] : [])).join(' ')).toBe(words(hyp).join(' '));
    }
  });

  it('reads the engine alignment into the same ops and counts', () => {
    const ops = fromAlignment([
      { op: 'equal', ref: 'the', hyp: 'the' },
      { op: 'sub', ref: 'cat', hyp: 'bat' },
      { op: 'del', ref: 'sat', hyp: null },
      { op: 'ins', ref: null, hyp: 'now' },
    ]);
    expect(ops).toEqual([
      { op: 'same', ref: 'the', hyp: 'the' },
      { op: 'sub', ref: 'cat', hyp: 'bat' },
      { op: 'del', ref: 'sat' },
      { op: 'ins', hyp: 'now' },
    ]);
    const s = summarizeOps(ops);
    expect(s.refWords).toBe(3);
    expect(s.wer).toBeCloseTo(1);
    expect(summarizeOps(diffWords('the cat sat', 'the bat now').ops).wer).toBeCloseTo(
      diffWords('the cat sat', 'the bat now').wer,
    );
  });

  it('handles empty texts and case/spacing noise', () => {
    expect(diffWords('', '').wer).toBe(0);
    expect(diffWords('', 'hello').wer).toBe(1);
    expect(diffWords('hello world', '').ops.map((o) => o.op)).toEqual(['del', 'del']);
    expect(diffWords(' Hello   World ', 'hello world').wer).toBe(0);
    expect(describeDiff(diffWords('', ''))).toBe('Both transcripts are empty.');
  });
});

describe('plot scaling', () => {
  it('maps linearly and survives a zero-width domain', () => {
    const s = linearScale([0, 10], [100, 0]);
    expect(s(0)).toBe(100);
    expect(s(5)).toBe(50);
    expect(s(10)).toBe(0);
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
  });

  it('finds the extent of finite values only', () => {
    expect(extent([3, NaN, -1, Infinity, 7])).toEqual([-1, 7]);
    expect(extent([NaN])).toBeNull();
  });

  it('widens to nice ticks that cover the data', () => {
    const { domain, ticks } = niceDomain(0.13, 0.87, 5);
    expect(domain[0]).toBeLessThanOrEqual(0.13);
    expect(domain[1]).toBeGreaterThanOrEqual(0.87);
    expect(ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const losses = niceDomain(1.234, 3.9);
    expect(losses.ticks[0]).toBeLessThanOrEqual(1.234);
    expect(losses.ticks.at(-1)).toBeGreaterThanOrEqual(3.9);
    // A flat series gets a band around it rather than a zero-height axis.
    const flat = niceDomain(2, 2);
    expect(flat.domain[0]).toBeLessThan(2);
    expect(flat.domain[1]).toBeGreaterThan(2);
  });

  it('formats ticks with the decimals the step needs', () => {
    expect(formatTick(0.2, 0.2)).toBe('0.2');
    expect(formatTick(3, 1)).toBe('3');
    expect(formatTick(0.005, 0.005)).toBe('0.005');
    expect(formatTick(20000, 5000)).toBe('20k');
  });

  it('breaks the line at missing values', () => {
    const x = linearScale([0, 3], [0, 30]);
    const y = linearScale([0, 1], [10, 0]);
    expect(
      linePath(
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
          { x: 2, y: NaN },
          { x: 3, y: 0.5 },
        ],
        x,
        y,
      ),
    ).toBe('M0.0,10.0L10.0,0.0M30.0,5.0');
  });
});

describe('heat map', () => {
  const m = [
    [8, 2, 0, 0],
    [1, 3, 0, 0],
    [0, 0, 0, 0],
    [0, 5, 0, 5],
  ];

  it('gives row percentages that sum to 100, and no percentage for an empty row', () => {
    const p = rowPercents(m);
    expect(p[0]).toEqual([80, 20, 0, 0]);
    expect(p[1]![0]).toBeCloseTo(25);
    expect(p[2]!.every(Number.isNaN)).toBe(true);
    for (const row of [p[0]!, p[1]!, p[3]!]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(100);
  });

  it('shades by row percentage and keeps the text readable on every shade', () => {
    const low = parseHex('#ffffff');
    const high = parseHex('#3b5bdb');
    const cells = heatCells(m, low, high);
    expect(cells[0]![0]!.background).toBe('rgb(98 124 226)'); // 80 % of the way to the accent
    expect(cells[0]![2]!.background).toBe('rgb(255 255 255)');
    expect(cells[2]![2]!.background).toBe('rgb(255 255 255)'); // empty row: no shade, not "0 % = wrong"
    for (const row of cells) {
      for (const c of row) {
        const bg = c.background.match(/\d+/g)!.map(Number) as [number, number, number];
        const fg = c.color.match(/\d+/g)!.map(Number) as [number, number, number];
        expect(contrastRatio(bg, fg)).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('derives WA and UA from a confusion matrix, skipping empty classes in UA', () => {
    const r = recallFromConfusion(m);
    expect(r.wa).toBeCloseTo((8 + 3 + 5) / 24);
    expect(r.ua).toBeCloseTo((0.8 + 0.75 + 0.5) / 3);
    expect(r.recall[2]).toBeNaN();
  });
});

describe('band energy bars and attention', () => {
  it('puts bars on one dB axis relative to the original energy', () => {
    const { bars, topDb, bottomDb } = bandBars({
      original: { low: 90, high: 10 },
      protected: { low: 80, high: 1 },
      perturbation: { low: 0.1, high: 0.01 },
    });
    const bar = (band: string, series: string) => bars.find((b) => b.band === band && b.series === series)!;
    expect(bar('low', 'original').db).toBeCloseTo(10 * Math.log10(0.9));
    expect(bar('high', 'protected').db).toBeCloseTo(-20);
    expect(topDb).toBe(0);
    expect(bottomDb).toBe(-60);
    expect(bar('high', 'protected').fraction).toBeCloseTo(40 / 60);
    expect(bar('high', 'perturbation').db).toBeCloseTo(-40);
    expect(bar('high', 'perturbation').fraction).toBeCloseTo(20 / 60);
  });

  it('measures the share of attention at or above 2 kHz', () => {
    const w = new Float32Array(257);
    w[10] = 1; // 312.5 Hz
    w[64] = 3; // 2000 Hz exactly
    expect(shareAbove(w, 512, 16000)).toBeCloseTo(0.75);
  });
});

describe('spectrogram rendering', () => {
  it('shares one dB range across panels, from the loudest value down', () => {
    expect(
      sharedDbRange(
        [
          [-50, -3],
          [-80, 7.2],
        ],
        80,
      ),
    ).toEqual({ min: -70, max: 10 });
  });

  it('draws low frequencies at the bottom with the shared colour scale', () => {
    // 2 frames × 3 bins; frame 0 bin 0 is loud, frame 1 bin 2 quiet.
    const px = spectrogramPixels(new Float32Array([0, -40, -80, -80, -40, -80]), 2, 3, { min: -80, max: 0 });
    const at = (x: number, y: number) => Array.from(px.slice((y * 2 + x) * 4, (y * 2 + x) * 4 + 3));
    expect(at(0, 2)).toEqual(colorAt(1)); // bin 0 → bottom row
    expect(at(0, 0)).toEqual(colorAt(0));
    expect(at(1, 1)).toEqual(colorAt(0.5));
    expect(() => spectrogramPixels(new Float32Array(5), 2, 3, { min: -1, max: 0 })).toThrow(/expected 2 × 3/);
  });

  it('labels the frequency axis in Hz and places 2 kHz where it belongs', () => {
    const t = freqTicks(8000);
    expect(t.map((x) => x.label)).toEqual([
      '0',
      '1 kHz',
      '2 kHz',
      '3 kHz',
      '4 kHz',
      '5 kHz',
      '6 kHz',
      '7 kHz',
      '8 kHz',
    ]);
    expect(freqY(2000, 8000)).toBe(0.75);
    expect(t[8]!.y).toBe(0);
  });

  it('puts colour-bar ticks on round dB values inside the range', () => {
    expect(legendTicks({ min: -67, max: 23 }, 20)).toEqual([-60, -40, -20, 0, 20]);
    expect(legendTicks({ min: -90, max: 0 }, 30)).toEqual([-90, -60, -30, 0]);
  });
});

describe('formatting', () => {
  it('estimates time left from the recent rate', () => {
    expect(etaSeconds([])).toBeNull();
    expect(etaSeconds([{ t: 0.2, fraction: 0.01 }])).toBeNull();
    expect(etaSeconds([{ t: 10, fraction: 0.25 }])).toBeCloseTo(30);
    // A slow start (model loading) is forgotten once it leaves the window.
    const h = [
      { t: 60, fraction: 0.1 },
      { t: 80, fraction: 0.2 },
      { t: 100, fraction: 0.3 },
    ];
    expect(etaSeconds(h, 30)).toBeCloseTo(140);
    expect(etaSeconds([...h, { t: 101, fraction: 1 }])).toBe(0);
  });

  it('writes ETAs that do not flicker', () => {
    expect(formatEta(null)).toBe('estimating time left…');
    expect(formatEta(4)).toBe('a few seconds left');
    expect(formatEta(42)).toBe('about 40 s left');
    expect(formatEta(200)).toBe('about 3 min 20 s left');
    expect(formatEta(7500)).toBe('about 2 h 5 min left');
  });

  it('formats percentages and levels', () => {
    expect(pct(0.734)).toBe('73.4 %');
    expect(pct(NaN)).toBe('—');
    expect(db(12.345)).toBe('12.3 dB');
    expect(db(-3)).toBe('−3.0 dB');
    expect(db(Infinity)).toBe('∞ dB');
  });

  it('drops the full stop of a message quoted inside another sentence', () => {
    expect(clause('The weights are missing (HTTP 404).')).toBe('The weights are missing (HTTP 404)');
    expect(clause('no stop')).toBe('no stop');
  });
});

describe('exports', () => {
  it('quotes CSV fields that need it and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\nthen')).toBe('"say ""hi""\nthen"');
    expect(csvField(NaN)).toBe('');
    expect(csvField(0.125)).toBe('0.125');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-3')).toBe('-3');
    expect(
      toCsv(
        ['a', 'b'],
        [
          [1, 'x'],
          [null, 'y,z'],
        ],
      ),
    ).toBe('a,b\r\n1,x\r\n,"y,z"\r\n');
    expect(recordsToCsv(['id', 'wer'], [{ id: 'c1', wer: 0.5, extra: 1 }])).toBe('id,wer\r\nc1,0.5\r\n');
  });

  it('writes JSON with typed arrays as arrays and non-finite numbers as null', () => {
    expect(JSON.parse(toJson({ a: new Float32Array([1, 2]), b: Infinity }))).toEqual({ a: [1, 2], b: null });
  });

  it('names protected files sensibly and uniquely', () => {
    expect(protectedFileName('my voice.mp3')).toBe('my voice-protected.wav');
    expect(protectedFileName('a/b:c.wav', 'lowpass2k')).toBe('a_b_c-lowpass2k.wav');
    expect(protectedFileName('.wav')).toBe('clip-protected.wav');
    expect(uniqueNames(['a.wav', 'b.wav', 'a.wav', 'a.wav'])).toEqual(['a.wav', 'b.wav', 'a (2).wav', 'a (3).wav']);
  });

  it('builds a ZIP that reads back byte for byte, with valid WAVs inside', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const wav = encodeWav(
      Float32Array.from({ length: 1600 }, (_, i) => Math.sin(i / 5) * 0.5),
      16000,
    );
    const zip = zipStore([
      { name: 'one-protected.wav', data: wav },
      { name: 'två.txt', data: new TextEncoder().encode('hej') },
    ]);
    const back = unzipStore(zip);
    expect(back.map((e) => e.name)).toEqual(['one-protected.wav', 'två.txt']);
    expect(decodeWav(back[0]!.data).channels[0]!.length).toBe(1600);
    expect(new TextDecoder().decode(back[1]!.data)).toBe('hej');
    // End-of-central-directory record says two entries.
    const v = new DataView(zip.buffer);
    expect(v.getUint32(zip.length - 22, true)).toBe(0x06054b50);
    expect(v.getUint16(zip.length - 12, true)).toBe(2);
  });

  it('exports an evaluation as a summary CSV and a per-clip CSV that parse back', () => {
    const summary = {
      wer: { rate: 0.9 },
      cer: { rate: 0.5 },
      meanSnrDb: 10.2,
      meanLowChangeDb: -0.1,
      meanHighChangeDb: 3,
      meanPerturbationHighShare: 0.8,
      seconds: 4,
    };
    const r: EvaluationExport = {
      datasetId: 'demo',
      split: null,
      budgetDb: 10,
      generatorId: 'shipped',
      backend: 'wasm',
      summaries: [
        { method: 'original', clips: 2, wa: 1, ua: 1, ...summary, wer: { rate: 0.1 }, meanSnrDb: null },
        { method: 'aclipse', clips: 2, wa: 0.5, ua: 0.5, ...summary },
      ],
      rows: [
        {
          clipId: 'c1',
          method: 'aclipse',
          emotion: 'sad',
          predicted: 'neutral',
          probabilities: [0.5, 0.3, 0.1, 0.1],
          reference: 'he said, "no"',
          transcript: 'he sad no',
          wer: 1 / 3,
          cer: 0.1,
          snrDb: 10.5,
          lowChangeDb: 0,
          highChangeDb: 2,
          perturbationHighShare: 0.7,
          ms: 12,
        },
      ],
    };
    const lines = (csv: string) => csv.trim().split('\r\n');
    const s = lines(summaryCsv(r));
    expect(s).toHaveLength(3);
    expect(s[0]).toMatch(/^dataset,split,budget_db,generator,backend,method,clips,wa,ua,wer,cer,mean_snr_db/);
    expect(s[1]).toBe('demo,all,10,shipped,wasm,original,2,1,1,0.1,0.5,,-0.1,3,0.8,4');
    const rows = lines(rowsCsv(r, ['neutral', 'sad', 'happy', 'angry']));
    expect(rows[0]).toContain('p_neutral,p_sad,p_happy,p_angry');
    expect(rows[1]).toContain('"he said, ""no"""');
    expect(rows[1]!.startsWith('c1,aclipse,sad,neutral,0.5,0.3,0.1,0.1,')).toBe(true);
  });
});

describe('F0 overlay', () => {
  it('puts pitch on a log axis: octaves are equal steps, the range ends at the edges', () => {
    expect(f0Y(50, 50, 500)).toBe(1);
    expect(f0Y(500, 50, 500)).toBeCloseTo(0, 12);
    expect(f0Y(1000, 50, 500)).toBe(0);
    expect(f0Y(100, 50, 500) - f0Y(200, 50, 500)).toBeCloseTo(f0Y(200, 50, 500) - f0Y(400, 50, 500), 12);
    expect(f0Ticks(50, 500).map((t) => t.label)).toEqual(['50 Hz', '100 Hz', '200 Hz', '400 Hz']);
  });

  it('breaks the line at unvoiced points and maps time over the plot width', () => {
    const f0 = [0, 100, 100, 0, 0, 200, 0, 400, 400, 400];
    const lines = f0Polylines(f0, 0.1, 1, 50, 500);
    expect(lines).toHaveLength(3);
    const pts = lines.map((l) => l.split(' ').map((p) => p.split(',').map(Number) as [number, number]));
    expect(pts[0]!.map((p) => p[0])).toEqual([100, 200]);
    expect(pts[0]![0]![1]).toBeCloseTo(f0Y(100, 50, 500) * F0_VIEW, 1);
    // A lone voiced point is drawn as a short dash at its own height.
    expect(pts[1]).toHaveLength(2);
    expect(pts[1]![0]![1]).toBe(pts[1]![1]![1]);
    expect(pts[1]![1]![0]).toBeGreaterThan(pts[1]![0]![0]);
    expect(pts[2]!.map((p) => p[0])).toEqual([700, 800, 900]);
    expect(pts[2]![0]![1]).toBeLessThan(pts[0]![0]![1]);
    expect(f0Polylines([0, 0], 0.1, 1, 50, 500)).toEqual([]);
  });
});
