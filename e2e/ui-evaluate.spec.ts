/**
 * The Evaluate screen, driven like a researcher: open the demo set, run the frozen evaluators on original and
 * protected clips for Aclipse and baselines at one budget, read the metrics, both confusion matrices and the method
 * comparison, and export CSV / JSON. Fixture models (tiny, random) stand in for the shipped ones: this checks that
 * the engine's numbers reach the screen and the files intact.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { engineFixtures } from './engine-fixtures';
import { serveEngineFixtures } from './engine-helpers';
import { attachScreenshot, expectAxeClean, waitForEngine } from './helpers';

async function matrix(page: Page, testId: string): Promise<{ counts: number[][]; percents: string[][] }> {
  const rows = page.getByTestId(testId).locator('tbody tr');
  await expect(rows).toHaveCount(4);
  const counts: number[][] = [];
  const percents: string[][] = [];
  for (const row of await rows.all()) {
    const cells = row.locator('td');
    await expect(cells).toHaveCount(4);
    counts.push(await Promise.all((await cells.all()).map(async (c) => Number(await c.getAttribute('data-count')))));
    percents.push(
      await Promise.all((await cells.all()).map(async (c) => (await c.getAttribute('data-percent')) ?? '')),
    );
  }
  return { counts, percents };
}

test('evaluates the demo set: WA/UA/WER/CER, confusion matrices before and after, method comparison, CSV and JSON', async ({
  browser,
}, testInfo) => {
  test.setTimeout(300_000);
  const fx = await engineFixtures();
  const context = await browser.newContext();
  await serveEngineFixtures(context, fx);
  const page = await context.newPage();
  await page.goto('/?backend=wasm#evaluate');
  await waitForEngine(page, 'wasm', 120_000);
  await expect(page.getByRole('tab', { name: 'Evaluate' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('eval-empty')).toBeVisible();

  await page.getByTestId('open-demo').click();
  // 12 held-out test clips plus the small train (32) and val (12) split, 14 per emotion.
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-clips', '56');
  await expect(page.getByTestId('dataset-summary')).toContainText('neutral 14');

  await page.getByTestId('eval-split').selectOption('test');
  await page.getByTestId('eval-limit').fill('8');
  // Default methods: original, Aclipse, noise, low-pass 2 kHz; add McAdams.
  await page.getByTestId('eval-method-mcadams').check();
  await expect(page.getByTestId('eval-method-aclipse')).toBeEnabled({ timeout: 120_000 }); // the generator has loaded
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('eval-progress')).toBeVisible();
  await expect(page.getByTestId('eval-results')).toBeVisible({ timeout: 240_000 });

  const methods = ['original', 'aclipse', 'noise', 'lowpass2k', 'mcadams'];
  const summary = page.getByTestId('eval-summary');
  await expect(summary.locator('tbody tr')).toHaveCount(methods.length);
  for (const m of methods) {
    const row = summary.locator(`tr[data-method="${m}"]`);
    await expect(row.locator('td').first()).toHaveText('8');
    for (const metric of ['wa', 'ua', 'wer', 'cer'])
      await expect(row.locator(`[data-metric="${metric}"]`)).toHaveText(/^\d+\.\d %$/);
  }
  // Label-free cue retention: nothing to compare on the originals; a 2 kHz low-pass leaves pitch untouched.
  await expect(summary.locator('tr[data-method="original"] [data-metric="f0-corr"]')).toHaveText('—');
  await expect(summary.locator('tr[data-method="lowpass2k"] [data-metric="f0-corr"]')).toHaveText(/^(0\.9\d|1\.00)$/);
  await expect(summary.locator('tr[data-method="aclipse"] [data-metric="loudness-corr"]')).toHaveText(/^-?\d\.\d\d$/);

  // Both matrices: counts add up to the clips, each row's percentages to 100, and UA read off the picture matches
  // the UA in the table.
  for (const [id, method] of [
    ['confusion-before', 'original'],
    ['confusion-after', 'aclipse'],
  ] as const) {
    const { counts, percents } = await matrix(page, id);
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(8);
    counts.forEach((row, i) => {
      const n = row.reduce((a, b) => a + b, 0);
      if (n === 0) expect(percents[i]!.every((p) => p === '')).toBe(true);
      else expect(percents[i]!.reduce((a, p) => a + Number(p), 0)).toBeCloseTo(100, 0);
    });
    const recalls = counts
      .map((row) => row.reduce((a, b) => a + b, 0))
      .flatMap((n, i) => (n ? [counts[i]![i]! / n] : []));
    const ua = (100 * recalls.reduce((a, b) => a + b, 0)) / recalls.length;
    await expect(summary.locator(`tr[data-method="${method}"] [data-metric="ua"]`)).toHaveText(`${ua.toFixed(1)} %`);
  }
  await page.getByTestId('confusion-method').selectOption('lowpass2k');
  await expect(page.getByTestId('confusion-after')).toContainText('Low-pass 2 kHz');
  await expect(page.getByTestId('tradeoff-plot').locator('circle')).toHaveCount(methods.length);

  await expectAxeClean(page, 'Evaluate');
  await attachScreenshot(page, testInfo, 'evaluate-results');
  // Phone-sized: everything in one column, nothing wider than the screen (wide tables scroll in place).
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await attachScreenshot(page, testInfo, 'evaluate-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  const save = async (testId: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    return { name: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') };
  };
  const sum = await save('export-summary-csv');
  expect(sum.name).toMatch(/^aclipse-eval-.*-test-10dB-summary-.*\.csv$/);
  const sumLines = sum.text.trim().split('\r\n');
  expect(sumLines).toHaveLength(1 + methods.length);
  expect(sumLines.slice(1).map((l) => l.split(',')[5])).toEqual(methods);
  const rows = await save('export-rows-csv');
  expect(rows.text.trim().split('\r\n')).toHaveLength(1 + 8 * methods.length);
  const json = await save('export-json');
  const parsed = JSON.parse(json.text) as {
    rows: unknown[];
    summaries: { method: string; confusion: number[][] }[];
    backend: string;
  };
  expect(parsed.rows).toHaveLength(8 * methods.length);
  expect(parsed.backend).toBe('wasm');
  const before = await matrix(page, 'confusion-before');
  expect(parsed.summaries[0]!.confusion).toEqual(before.counts);

  // A second run can be cancelled; the previous results stay on screen.
  await page.getByTestId('eval-limit').fill('12');
  await page.getByTestId('eval-run').click();
  await page.getByTestId('eval-cancel').click();
  await expect(page.getByText(/^Cancelled after \d+ runs\.$/)).toBeVisible();
  await expect(page.getByTestId('confusion-before')).toBeVisible();
  await expect(page.getByTestId('eval-summary').locator('tbody tr')).toHaveCount(methods.length);

  // IEMOCAP, from its folder as released: sessions become folds.
  await page.getByTestId('dataset-format').selectOption('iemocap');
  await page.getByTestId('folder-input').setInputFiles('tests/fixtures/iemocap/IEMOCAP_full_release');
  await expect(page.getByTestId('dataset-summary')).toContainText('IEMOCAP');
  await expect(page.getByTestId('dataset-summary')).toContainText('Fold');
  await expect(page.getByTestId('dataset-select').locator('option')).toHaveCount(2);
  await expect(page.getByTestId('eval-split').locator('option', { hasText: /^fold/ }).first()).toBeAttached();
  await context.close();
});
