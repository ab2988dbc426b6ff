import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/core/audio';
import { loadManifestDataset, memorySource } from '../../src/core/data';
import type { RealManifestRecord } from '../../src/core/data/types';
import { dropReason, limitPeak, parseLuaDialogs, splitLevels, MIN_DURATION_S, PEAK_LIMIT } from './real';

describe('parseLuaDialogs', () => {
  it('pairs each dialogId with the dialogStr that follows it', () => {
    const src = `
dialogId("bot-m-vidis", "font_small", "Can you see that seahorse?")
dialogStr("Vidíš toho koníka?")

dialogId("bot-x-smich", "", "")
dialogId("bot-v-totem", "font_big", "This totem looks good to me.")
dialogStr("Ten totem se mi líbí.")
`;
    expect(parseLuaDialogs(src)).toEqual([
      {
        id: 'bot-m-vidis',
        font: 'font_small',
        english: 'Can you see that seahorse?',
        translated: 'Vidíš toho koníka?',
      },
      { id: 'bot-x-smich', font: '', english: '', translated: null },
      {
        id: 'bot-v-totem',
        font: 'font_big',
        english: 'This totem looks good to me.',
        translated: 'Ten totem se mi líbí.',
      },
    ]);
  });

  it('reads arguments split over lines, concatenations and long brackets', () => {
    const src = `dialogId("m-uvedomit", "font_small",
"You need to realize that " .. 'the cylinder')
dialogStr(
"Je dobré si uvědomit.")
dialogId("x", "f", [[long
text]])
dialogStr([==[a ]] b]==])`;
    const d = parseLuaDialogs(src);
    expect(d.map((x) => x.english)).toEqual(['You need to realize that the cylinder', 'long\ntext']);
    expect(d.map((x) => x.translated)).toEqual(['Je dobré si uvědomit.', 'a ]] b']);
  });

  it('decodes Lua escapes and ignores comments and other code', () => {
    const src = `-- dialogId("commented", "f", "no")
--[[ dialogId("block", "f", "no") ]]
local x = 3 .. 4
dialogId("war", "font_big", "in C:\\\\WINDOWS say \\"hi\\"\\nit\\'s \\65\\x42")`;
    const d = parseLuaDialogs(src);
    expect(d).toHaveLength(1);
    expect(d[0]!.english).toBe('in C:\\WINDOWS say "hi"\nit\'s AB');
  });

  it('skips calls whose arguments are not strings and keeps going', () => {
    const d = parseLuaDialogs('dialogId(name, "f", "t")\ndialogId("ok", "f", "t")');
    expect(d.map((x) => x.id)).toEqual(['ok']);
  });

  it('throws on an unfinished string instead of swallowing the rest of the file', () => {
    expect(() => parseLuaDialogs('dialogId("a, "f")\n')).toThrow(/unfinished string/);
  });
});

describe('dropReason', () => {
  it('drops lines without words, with digits, or too short', () => {
    expect(dropReason('', 2)).toBe('no-text');
    expect(dropReason('...!?', 2)).toBe('no-text');
    expect(dropReason('1060D0A2A050B508', 2)).toBe('digits');
    expect(dropReason('Stiskni F1.', 2)).toBe('digits');
    expect(dropReason('Ahoj.', MIN_DURATION_S - 0.01)).toBe('short');
    expect(dropReason('Ahoj.', NaN)).toBe('short');
    expect(dropReason('Ahoj.', MIN_DURATION_S)).toBeNull();
  });
});

describe('splitLevels', () => {
  it('keeps levels whole, balances clip counts and does not depend on insertion order', () => {
    const counts = new Map(Array.from({ length: 40 }, (_, i) => [`level${i}`, 5 + ((i * 7) % 23)] as [string, number]));
    const a = splitLevels(counts);
    const b = splitLevels(new Map([...counts].reverse()));
    expect([...a].sort()).toEqual([...b].sort());
    const sum = (h: string) => [...a].filter(([, x]) => x === h).reduce((s, [l]) => s + counts.get(l)!, 0);
    const total = [...counts.values()].reduce((s, x) => s + x, 0);
    const maxLevel = Math.max(...counts.values());
    expect(Math.abs(sum('calibration') - sum('heldout'))).toBeLessThanOrEqual(maxLevel);
    expect(sum('calibration') + sum('heldout')).toBe(total);
  });
});

describe('limitPeak', () => {
  it('scales an over-range signal to the limit and leaves others alone', () => {
    const x = Float32Array.from([0.5, -1.25, 0.2]);
    const g = limitPeak(x);
    expect(Math.max(...x.map(Math.abs))).toBeCloseTo(PEAK_LIMIT, 6);
    expect(g).toBeCloseTo(20 * Math.log10(PEAK_LIMIT / 1.25), 5);
    const y = Float32Array.from([0.5, -0.9]);
    expect(limitPeak(y)).toBe(0);
    expect([...y]).toEqual([0.5, Math.fround(-0.9)]);
  });
});

describe('the real manifest and the shared loader', () => {
  const rec: RealManifestRecord = {
    id: 'aztec__bot-m-vidis',
    path: 'clips/aztec/bot-m-vidis.wav',
    text: 'vidis toho konika',
    rawText: 'Vidíš toho koníka?',
    english: 'Can you see that seahorse?',
    speaker: 'small',
    split: 'real',
    half: 'calibration',
    level: 'aztec',
    lang: 'cs',
    source: 'fillets-ng-data-cs',
    duration: 1,
    gainDb: 0,
  };
  const files = () => ({
    'manifest.jsonl': JSON.stringify(rec) + '\n',
    [rec.path]: encodeWav(new Float32Array(16000), 16000),
  });

  it('loads a record without an emotion as unlabelled (emotion null, text kept)', async () => {
    const ds = await loadManifestDataset(memorySource(files()), { keepUnlabelled: true });
    expect(ds.entries).toHaveLength(1);
    const e = ds.entries[0]!;
    expect(e.emotion).toBeNull();
    expect(e.text).toBe('vidis toho konika');
    expect(e.split).toBe('real');
    expect(e.meta.half).toBe('calibration');
  });

  it('is refused for emotion work (no labelled clip) without keepUnlabelled', async () => {
    await expect(loadManifestDataset(memorySource(files()))).rejects.toThrow(/No usable clips/);
  });
});
