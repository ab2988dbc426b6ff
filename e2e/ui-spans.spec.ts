/**
 * Protect only what you choose, driven like a user on wasm with the shipped models: a demo clip, one word picked
 * from its transcript, a region dragged on the waveform, Protect, and the downloaded WAV compared with the
 * downloaded original: every sample outside the marked parts identical, each part within the budget. The marks
 * come back after a reload.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeWav } from '../src/core/audio';
import { openWithModels } from './helpers';
import { snrDb } from '../src/core/analysis';

interface DemoEntry {
  id: string;
  duration: number;
  split?: string;
}
const demo: DemoEntry[] = readFileSync(fileURLToPath(new URL('../public/demo/manifest.jsonl', import.meta.url)), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as DemoEntry)
  .filter((d) => !d.split || d.split === 'test');
const shortest = [...demo].sort((a, b) => a.duration - b.duration)[0]!;

async function download(page: Page, testId: string) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

test('a picked word and a dragged region are protected; the rest of the downloaded WAV is the original', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openWithModels(page);
  await page.getByTestId('demo-select').selectOption(shortest.id);
  await page.getByTestId('demo-load').click();
  await expect(page.getByTestId('clip-card')).toBeVisible();

  await page.getByTestId('scope-spans').click();
  await expect(page.getByTestId('spans-empty')).toBeVisible();
  await expect(page.getByTestId('protect')).toBeDisabled();

  // Words from the recognizer's alignment: pick the first one.
  await page.getByTestId('find-words').click();
  const chips = page.getByTestId('word-chip');
  await expect(chips.first()).toBeVisible({ timeout: 60_000 });
  await chips.first().click();
  await expect(chips.first()).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('span-row')).toHaveCount(1);

  // A region dragged over the last fifth of the waveform.
  const wave = page.getByTestId('span-waveform');
  await expect(wave).toHaveAttribute('data-ready', 'true');
  const box = (await wave.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.78, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.85, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.95, y, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('span-row')).toHaveCount(2);

  await page.getByTestId('protect').click();
  await expect(page.getByTestId('span-results')).toBeVisible({ timeout: 120_000 });
  const rows = page.getByTestId('span-result');
  await expect(rows).toHaveCount(2);
  for (const r of await rows.all()) expect(Number(await r.getAttribute('data-snr'))).toBeGreaterThanOrEqual(10);

  const original = decodeWav(new Uint8Array((await download(page, 'download')).bytes));
  const prot = await download(page, 'download-protected');
  expect(prot.name).toMatch(/-aclipse-10dB-spans\.wav$/);
  const p = decodeWav(new Uint8Array(prot.bytes));
  const x = original.channels[0]!;
  const z = p.channels[0]!;
  expect(z.length).toBe(x.length);

  // The marked parts, read off the screen ("0.42–0.97 s").
  const spans = (await page.getByTestId('span-row').allTextContents()).map((t) => {
    const m = /([\d.]+)–([\d.]+) s/.exec(t)!;
    return { start: Number(m[1]), end: Number(m[2]) };
  });
  const sr = original.sampleRate;
  // The labels are rounded to 10 ms: compare outside each part widened by that much.
  const inside = (i: number) =>
    spans.some((s) => i >= Math.floor((s.start - 0.01) * sr) && i < Math.ceil((s.end + 0.01) * sr));
  let outside = 0;
  let changedInside = 0;
  for (let i = 0; i < x.length; i++) {
    if (inside(i)) {
      if (z[i] !== x[i]) changedInside++;
    } else {
      outside++;
      if (z[i] !== x[i]) throw new Error(`sample ${i} (${(i / sr).toFixed(3)} s) outside the marked parts differs`);
    }
  }
  expect(outside).toBeGreaterThan(0.3 * x.length);
  expect(changedInside).toBeGreaterThan(0.1 * sr);
  for (const s of spans) {
    const a = Math.round(s.start * sr) + 20;
    const b = Math.round(s.end * sr) - 20;
    // 16-bit rounding costs a little SNR; the budget is 10 dB.
    expect(snrDb(x.subarray(a, b), z.subarray(a, b))).toBeGreaterThan(9.9);
  }

  // The marks are kept with the clip.
  await page.reload();
  await expect(page.getByTestId('span-row')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('span-results')).toBeVisible();
});
