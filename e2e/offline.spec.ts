/**
 * Offline after the first visit: the service worker precaches the app shell and the engine; the models and the
 * demo clip are kept once used. With the network off, a reload still starts the engine, loads the models and
 * protects a demo clip. Uses the shipped models (public/models), served by the app itself, on wasm.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitForEngine } from './helpers';

const demo = readFileSync(fileURLToPath(new URL('../public/demo/manifest.jsonl', import.meta.url)), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; duration: number; split?: string })
  .filter((d) => d.split === 'test')
  .sort((a, b) => a.duration - b.duration);

test('works offline after the first visit: reload with the network off and protect a demo clip', async ({
  browser,
}) => {
  test.setTimeout(600_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  await page.goto('/?backend=wasm');
  await waitForEngine(page, 'wasm', 120_000);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-shell', 'ready', { timeout: 60_000 });

  // First use, online: the models and the clip are fetched, then kept for offline use.
  const clip = demo[0]!;
  await page.getByTestId('demo-select').selectOption(clip.id);
  await page.getByTestId('demo-load').click();
  await expect(page.getByTestId('clip-name')).toHaveText(`${clip.id}.wav`);
  await page.getByTestId('protect').click();
  await expect(page.getByTestId('snr')).toBeVisible({ timeout: 300_000 });
  const status = page.getByTestId('offline-status');
  await expect.poll(async () => Number(await status.getAttribute('data-used')), { timeout: 60_000 }).toBeGreaterThan(4);
  await expect
    .poll(async () => (await status.getAttribute('data-cached')) === (await status.getAttribute('data-used')), {
      timeout: 120_000,
    })
    .toBe(true);

  await context.setOffline(true);
  // Proof that the network really is off for this page.
  expect(
    await page.evaluate(() =>
      fetch('/nothing-here-' + Date.now()).then(
        () => 'online',
        () => 'offline',
      ),
    ),
  ).toBe('offline');
  await page.reload();
  await waitForEngine(page, 'wasm', 120_000);
  // The clip from before comes back from IndexedDB; the demo clip loads again from the offline cache.
  await expect(page.getByTestId('clip-list').locator('li')).toHaveCount(1);
  await page.getByTestId('demo-select').selectOption(clip.id);
  await page.getByTestId('demo-load').click();
  await expect(page.getByTestId('clip-list').locator('li')).toHaveCount(2);
  await expect(page.locator('[data-code="input:demo"]')).toHaveCount(0);
  await expect(page.getByTestId('clip-name')).toHaveText(`${clip.id}.wav`);
  await page.getByTestId('protect').click();
  await expect(page.getByTestId('snr')).toBeVisible({ timeout: 300_000 });
  expect(Number(await page.getByTestId('snr').getAttribute('data-value'))).toBeGreaterThanOrEqual(10 - 1e-3);
  await expect(page.getByTestId('protect-error')).toHaveCount(0);
  await context.close();
});
