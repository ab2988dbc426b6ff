/**
 * The Train screen, driven like a researcher: load a labelled folder, configure both stages small enough for a
 * CPU, watch the curves update, cancel, resume to the end, compare with the weights in use, export, and use the
 * trained weights for Protect. Fixture models (tiny, random) stand in for the shipped evaluators and generator.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { unzipStore } from '../src/ui/view/export';
import { engineFixtures } from './engine-fixtures';
import { serveEngineFixtures } from './engine-helpers';
import { attachScreenshot, expectAxeClean, waitForEngine } from './helpers';

test('two-stage training: live curves, cancel and resume, compare, export, use the weights', async ({
  browser,
}, testInfo) => {
  test.setTimeout(480_000);
  const fx = await engineFixtures();
  const context = await browser.newContext();
  await serveEngineFixtures(context, fx);
  const page = await context.newPage();
  await page.goto('/?backend=wasm#train');
  await waitForEngine(page, 'wasm', 120_000);

  // Without a dataset, training is refused in place, with the reason.
  await expect(page.getByTestId('train-problems')).toContainText('Open a dataset with a train split');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.getByTestId('folder-input').setInputFiles(fx.datasetDir);
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-clips', '7');
  await expect(page.getByTestId('dataset-summary')).toContainText('train 4');

  await page.getByTestId('preset-quick').click();
  await page.getByTestId('train-split').selectOption('train');
  await page.getByTestId('val-split').selectOption('val');
  await page.getByTestId('val-limit').fill('2');
  await page.getByTestId('subset-size').fill('4');
  await page.getByTestId('batch-size').fill('2');
  await page.getByTestId('max-clip-seconds').fill('1');
  // With the cue-keeping term on, its curve joins the others (worker, trainer and chart all carry it).
  await page.getByTestId('cue-keep').fill('1');
  // enough epochs that the cancel below lands mid-run even when the machine is busy
  await page.getByTestId('stage1-epochs').fill('10');
  await page.getByTestId('stage2-epochs').fill('2');
  await expectAxeClean(page, 'Train (configured)');

  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-progress')).toBeVisible();
  await expect(page.getByTestId('activity')).toHaveAttribute('data-state', 'busy');
  const curves = page.getByTestId('train-curves');
  // Live: the per-step curve grows, then whole epochs arrive on the epoch curves.
  await expect
    .poll(async () => Number(await curves.getAttribute('data-steps')), { timeout: 180_000 })
    .toBeGreaterThan(0);
  const firstSteps = Number(await curves.getAttribute('data-steps'));
  await expect
    .poll(async () => Number(await curves.getAttribute('data-steps')), { timeout: 180_000 })
    .toBeGreaterThan(firstSteps);
  await expect
    .poll(async () => Number(await curves.getAttribute('data-epochs')), { timeout: 180_000 })
    .toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('curve-ce')).not.toHaveAttribute('data-points', '0');
  await expect(page.getByTestId('train-progress').getByRole('progressbar')).toHaveAttribute('aria-valuenow', /\d+/);
  await attachScreenshot(page, testInfo, 'train-running');

  await page.getByTestId('train-cancel').click();
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByTestId('train-resume')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('train-cancelled')).toContainText('Resume continues with stage');
  // What is kept is whole epochs only, fewer than asked for.
  expect(Number(await curves.getAttribute('data-epochs'))).toBeLessThan(12);

  await page.getByTestId('train-resume').click();
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  // Every epoch of both stages is on the curves once, the ones from before the cancel included.
  await expect(curves).toHaveAttribute('data-epochs', '12');
  await expect(page.getByTestId('curve-wa')).toHaveAttribute('data-points', '24'); // train + validation, 12 epochs
  await expect(page.getByTestId('curve-cue')).toHaveAttribute('data-points', '24');

  await page.getByTestId('train-compare').click();
  const table = page.getByTestId('train-compare-table');
  await expect(table.locator('tbody tr')).toHaveCount(4);
  await expect(table.locator('tbody tr').first().locator('td').nth(1)).toHaveText(/^\d+\.\d %$/, { timeout: 120_000 });
  await expectAxeClean(page, 'Train (finished)');
  await attachScreenshot(page, testInfo, 'train-finished');
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await attachScreenshot(page, testInfo, 'train-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('train-export').click()]);
  expect(d.suggestedFilename()).toMatch(/^aclipse-generator-trained-.*\.zip$/);
  const files = unzipStore(new Uint8Array(readFileSync((await d.path())!)));
  expect(files.map((f) => f.name).sort()).toEqual(['model.json', 'weights.bin']);
  expect(JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'model.json')!.data))).toHaveProperty(
    'weightsManifest',
  );

  await page.getByTestId('train-adopt').click();
  await page.getByRole('tab', { name: 'Protect' }).click();
  const select = page.getByTestId('generator-select');
  await expect(select.locator('option')).toHaveCount(2);
  expect(await select.inputValue()).not.toBe('shipped');
  await expect(page.getByTestId('weights-in-use')).not.toContainText('Shipped');

  // The exported ZIP imports back as a third generator.
  await page
    .getByTestId('import-weights')
    .setInputFiles({ name: 'my-run.zip', mimeType: 'application/zip', buffer: readFileSync((await d.path())!) });
  await expect(select.locator('option')).toHaveCount(3);
  await expect(page.locator('[data-code="models:imported"]')).toContainText('my-run');
  await context.close();
});

test('one click trains both stages on the demo set with the Quick preset', async ({ browser }) => {
  test.setTimeout(480_000);
  const fx = await engineFixtures();
  const context = await browser.newContext();
  await serveEngineFixtures(context, fx);
  const page = await context.newPage();
  await page.goto('/?backend=wasm#train');
  await waitForEngine(page, 'wasm', 120_000);
  await page.getByTestId('train-demo-quick').click();
  await expect(page.getByTestId('dataset-summary')).toContainText('train 32');
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-status', 'done', { timeout: 420_000 });
  // Quick: 4 + 2 epochs, each also scored on the validation split.
  await expect(page.getByTestId('train-curves')).toHaveAttribute('data-epochs', '6');
  await expect(page.getByTestId('curve-wa')).toHaveAttribute('data-points', '12');
  // All 32 train clips were available; 8 of the 12 val clips (the Quick preset's limit) were scored.
  await expect(page.getByTestId('train-run')).toContainText('32 training clips, 8 validation clips');
  await context.close();
});
