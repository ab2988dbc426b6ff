/**
 * The user's work survives a reload: a demo clip, its protected version and an imported generator come back from
 * IndexedDB; "Delete all my data" removes them; without storage the page works from memory, says so, and asks
 * before the tab is closed. Engine fixtures (tiny random models) stand in for the shipped weights.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineFixtures, type EngineFixtures } from './engine-fixtures';
import { serveEngineFixtures } from './engine-helpers';
import { waitForEngine } from './helpers';

const demo = readFileSync(fileURLToPath(new URL('../public/demo/manifest.jsonl', import.meta.url)), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; duration: number; split?: string })
  .filter((d) => !d.split || d.split === 'test')
  .sort((a, b) => a.duration - b.duration);

let fx: EngineFixtures;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  fx = await engineFixtures();
});

async function open(browser: Browser, init?: () => void) {
  const context = await browser.newContext();
  await serveEngineFixtures(context, fx);
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  await page.goto('/?backend=wasm');
  await waitForEngine(page, 'wasm', 120_000);
  return { context, page };
}

async function loadDemo(page: Page, id: string) {
  await page.getByTestId('demo-select').selectOption(id);
  await page.getByTestId('demo-load').click();
  await expect(page.getByTestId('clip-name')).toHaveText(`${id}.wav`);
}

test('clips, protected results and an imported generator come back after a reload; delete-all removes them', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const { context, page } = await open(browser);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await loadDemo(page, demo[0]!.id);
  await page.getByTestId('method').selectOption('noise');
  await page.getByTestId('protect').click();
  await expect(page.getByTestId('snr')).toBeVisible({ timeout: 120_000 });
  const snr = await page.getByTestId('snr').getAttribute('data-value');

  // An imported generator (the fixture's weights), which becomes the active one.
  await expect(page.getByTestId('generator-select')).toBeVisible({ timeout: 120_000 });
  await page
    .getByTestId('import-weights')
    .setInputFiles([join(fx.modelsDir, 'aclipse', 'model.json'), join(fx.modelsDir, 'aclipse', 'weights.bin')]);
  const select = page.getByTestId('generator-select');
  await expect(select.locator('option')).toHaveCount(2);
  const importedId = await select.inputValue();
  expect(importedId).toMatch(/^imported-/);

  // Saved: the guard has nothing to warn about, so the reload happens without a prompt.
  await page.getByTestId('backend-chip').click(); // opens the Engine tab
  await expect(page.getByTestId('storage-counts')).toContainText('1 clip, 1 protected version, 1 generator');
  await expect(page.getByTestId('storage-counts')).not.toContainText('saving');
  await page.reload();
  await waitForEngine(page, 'wasm', 120_000);
  expect(dialogs).toEqual([]);

  await page.goto('/?backend=wasm#protect');
  await expect(page.getByTestId('clip-name')).toHaveText(`${demo[0]!.id}.wav`);
  await expect(page.getByTestId('snr')).toHaveAttribute('data-value', snr!);
  // The saved generator is back and active before the shipped models are loaded, and stays active after.
  await expect(page.getByTestId('generator-select')).toHaveValue(/^imported-/, { timeout: 60_000 });
  await page.getByTestId('models-load').click();
  await expect(page.getByTestId('generator-select').locator('option')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('generator-select')).toHaveValue(/^imported-/);

  // Delete everything: after the confirmation the page reloads empty.
  await page.goto('/?backend=wasm#engine');
  await page.getByTestId('delete-all').click();
  await page.getByTestId('delete-all-confirm').click();
  await page.waitForLoadState('load');
  await expect(page.getByTestId('storage-counts')).toContainText('0 clips, 0 protected versions', { timeout: 60_000 });
  await page.goto('/?backend=wasm#protect');
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await page.getByTestId('models-load').click();
  await expect(page.getByTestId('generator-select').locator('option')).toHaveCount(1, { timeout: 120_000 });
  expect(dialogs).toEqual([]);
  await context.close();
});

test('without storage: a notice, the clip still works, and closing the tab asks first', async ({ browser }) => {
  test.setTimeout(180_000);
  // A browser that refuses IndexedDB (as some private modes do).
  const { context, page } = await open(browser, () => {
    Object.defineProperty(IDBFactory.prototype, 'open', {
      value: () => {
        throw new DOMException('IndexedDB is disabled', 'InvalidStateError');
      },
    });
  });
  await loadDemo(page, demo[0]!.id);
  await expect(page.locator('[data-code="storage:memory"]')).toContainText('memory only');
  const dialog = page.waitForEvent('dialog');
  void page.close({ runBeforeUnload: true });
  const d = await dialog;
  expect(d.type()).toBe('beforeunload');
  await d.dismiss(); // stay
  expect(page.isClosed()).toBe(false);
  await context.close();
});
