/**
 * The Protect and Spectra screens, driven like a user: a demo clip protected end to end on WebGPU (SwiftShader
 * here, so one short clip), a batch of three files with "download all", the spectrogram / band-energy / attention
 * panels, and the main screens in light, dark and phone layouts (axe-checked, screenshots attached).
 *
 * The models are the engine's fixture models (tiny, random weights, served at the app's own /models/ path): these
 * tests check that real engine results reach the screen intact, not model quality.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeWav } from '../src/core/audio';
import { unzipStore } from '../src/ui/view/export';
import { engineFixtures, FIXTURE_BANDS, syntheticClip, type EngineFixtures } from './engine-fixtures';
import { serveEngineFixtures } from './engine-helpers';
import { attachScreenshot, expectAxeClean, pcmWav, waitForEngine } from './helpers';
import { snrDb } from '../src/core/analysis';

interface DemoEntry {
  id: string;
  duration: number;
  emotion: string;
}
const demo: DemoEntry[] = readFileSync(fileURLToPath(new URL('../public/demo/manifest.jsonl', import.meta.url)), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as DemoEntry & { split?: string })
  // The Protect tab's demo picker lists the held-out clips; the train/val ones are for the Train tab.
  .filter((d) => !d.split || d.split === 'test');
const shortest = [...demo].sort((a, b) => a.duration - b.duration)[0]!;

let fx: EngineFixtures;

async function openApp(browser: Browser, backend: 'webgpu' | 'wasm', opts: Parameters<Browser['newContext']>[0] = {}) {
  const context = await browser.newContext(opts);
  await serveEngineFixtures(context, fx);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  await page.goto(`/?backend=${backend}`);
  await waitForEngine(page, backend, 120_000);
  // The models load on first need; "Load now" asks for them, and the generator list appears when they are in.
  await page.getByTestId('models-load').click();
  await expect(page.getByTestId('generator-select')).toBeVisible({ timeout: 120_000 });
  return { context, page };
}

async function loadDemo(page: Page, id: string) {
  await page.getByTestId('demo-select').selectOption(id);
  await page.getByTestId('demo-load').click();
  await expect(page.getByTestId('clip-name')).toHaveText(`${id}.wav`);
}

async function probabilities(page: Page, testId: string): Promise<number[]> {
  const items = page.getByTestId(testId).locator('li[data-probability]');
  await expect(items).toHaveCount(4);
  return Promise.all((await items.all()).map(async (li) => Number(await li.getAttribute('data-probability'))));
}

async function download(page: Page, testId: string) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  fx = await engineFixtures();
});

test('protects a demo clip end to end on WebGPU: transcript diff, emotions, SNR, a valid WAV', async ({
  browser,
}, testInfo) => {
  test.setTimeout(600_000);
  const { context, page } = await openApp(browser, 'webgpu');
  await loadDemo(page, shortest.id);
  await expect(page.getByTestId('weights-in-use')).toContainText('Weights:');
  // Weights by budget (the fixture's bands.json): the screen says which weights the chosen budget uses, and the
  // slider moves across the threshold.
  const [band] = FIXTURE_BANDS.bands;
  await page.getByTestId('budget').fill(String(band!.fromDb));
  await expect(page.getByTestId('weights-by-budget')).toContainText(`these are its weights ${band!.label}`);
  await page.getByTestId('budget').fill('10');
  await expect(page.getByTestId('weights-by-budget')).toContainText('At 10 dB these are its base weights');
  await page.getByTestId('protect').click();
  // Progress is visible while it runs, in place and in the top bar.
  await expect(page.getByTestId('activity')).toHaveAttribute('data-state', 'busy');
  await expect(page.getByTestId('snr')).toBeVisible({ timeout: 480_000 });
  await expect(page.getByTestId('protect-backend')).toHaveText('webgpu');

  const budget = 10;
  expect(Number(await page.getByTestId('snr').getAttribute('data-value'))).toBeGreaterThanOrEqual(budget - 1e-3);
  // The diff drawn from the engine's alignment gives the same WER the engine reports.
  const diff = page.getByTestId('transcript-diff');
  await expect(diff).toBeVisible();
  const engineWer = Number(await page.getByTestId('wer').getAttribute('data-value'));
  expect(Number(await diff.getAttribute('data-wer'))).toBeCloseTo(engineWer, 3);
  await expect(page.getByTestId('transcript-original')).toBeVisible();
  for (const id of ['emotion-original', 'emotion-protected']) {
    const p = await probabilities(page, id);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
  }
  await expect(page.getByTestId('emotion-verdict')).toContainText(/Emotion (kept|changed)/);
  await expect(page.getByTestId('waveform-protected')).toHaveAttribute('data-ready', 'true');

  const original = await download(page, 'download');
  const prot = await download(page, 'download-protected');
  expect(prot.name).toBe(`${shortest.id}-aclipse-10dB.wav`);
  const a = decodeWav(original.bytes);
  const b = decodeWav(prot.bytes);
  expect(b.sampleRate).toBe(16000);
  expect(b.channels).toHaveLength(1);
  expect(b.channels[0]!.length).toBe(a.channels[0]!.length);
  expect(Math.abs(b.channels[0]!.length / 16000 - shortest.duration)).toBeLessThan(0.01);
  // What was downloaded is what was measured: the SNR holds in the 16-bit files too.
  expect(snrDb(a.channels[0]!, b.channels[0]!)).toBeGreaterThanOrEqual(budget - 0.05);

  await attachScreenshot(page, testInfo, 'protect-webgpu');
  await context.close();
});

test('without model weights: a clear loading then missing state, baselines still work, nothing faked', async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const context = await browser.newContext();
  // Weights that take a moment and then turn out not to exist (as before the shipped models are installed).
  await context.route(
    (url) => url.pathname.startsWith('/models/'),
    async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.fulfill({ status: 404, body: 'not found' });
    },
  );
  const page = await context.newPage();
  await page.goto('/?backend=wasm');
  await page.getByTestId('models-load').click({ timeout: 60_000 });
  await expect(page.getByTestId('models-card')).toHaveAttribute('data-status', 'loading', { timeout: 60_000 });
  await expect(page.getByTestId('activity')).toContainText('Loading models');
  await expect(page.getByTestId('models-card')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-ser')).toHaveText('not loaded');
  await expect(page.getByTestId('evaluators-problem')).toContainText('not installed');
  await expect(page.getByTestId('generator-problem')).toContainText('not installed');

  await loadDemo(page, demo[2]!.id);
  await expect(page.getByTestId('protect')).toBeDisabled();
  await expect(page.getByTestId('protect-blocked')).toContainText('No Aclipse generator is loaded');
  await expectAxeClean(page, 'Protect (no models)');
  await attachScreenshot(page, testInfo, 'protect-no-models');

  // A baseline needs no weights: it runs, and the panels say plainly that there is no transcript or emotion.
  await page.getByTestId('method').selectOption('lowpass2k');
  await expect(page.getByTestId('protect')).toBeEnabled();
  await page.getByTestId('protect').click();
  await expect(page.getByTestId('snr')).toBeVisible({ timeout: 60_000 });
  expect(Number(await page.getByTestId('snr').getAttribute('data-value'))).toBeGreaterThanOrEqual(10 - 1e-3);
  await expect(page.getByTestId('protected-facts')).toContainText('need the evaluator models, which are not loaded');
  await expect(page.getByTestId('transcript-diff')).toHaveCount(0);
  await expect(page.getByTestId('emotion-protected')).toHaveCount(0);
  const prot = await download(page, 'download-protected');
  expect(prot.name).toBe(`${demo[2]!.id}-lowpass2k-10dB.wav`);

  // Bad weights are refused with a message in place.
  await page
    .getByTestId('import-weights')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByTestId('models-card').locator('[data-code="models:import"]')).toContainText(
    'Pick the exported ZIP, or both model.json and weights.bin',
  );
  await page.getByTestId('import-weights').setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"not":"a model"}') },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(16) },
  ]);
  await expect(page.locator('[data-code="models:import"]')).toContainText('Could not import the weights');
  await context.close();
});

test.describe('on wasm', () => {
  test.describe.configure({ mode: 'serial' });
  let context: BrowserContext;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(180_000);
    ({ context, page } = await openApp(browser, 'wasm'));
  });
  test.afterAll(async () => context?.close());

  test('batch: three files protected in one go, each with its status, downloaded as one ZIP of WAVs', async ({}, testInfo) => {
    test.setTimeout(240_000);
    const files = [0, 1, 2].map((i) => ({
      name: `take ${i + 1}.wav`,
      mimeType: 'audio/wav',
      buffer: pcmWav([syntheticClip(i, 1 + 0.25 * i)], 16000),
    }));
    await page.getByTestId('file-input').setInputFiles(files);
    const rows = page.getByTestId('batch-row');
    await expect(rows).toHaveCount(3);
    await page.getByTestId('method').selectOption('aclipse');
    await page.getByTestId('protect-all').click();
    // Rows move through queued/running to done, one at a time.
    await expect(rows.locator('[data-status="running"], [data-status="queued"]').first()).toBeVisible();
    for (let i = 0; i < 3; i++) await expect(rows.nth(i)).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
    await expect(page.getByTestId('download-all')).toHaveText('Download all (3)');
    await attachScreenshot(page, testInfo, 'protect-batch');

    const zip = await download(page, 'download-all');
    expect(zip.name).toMatch(/^aclipse-protected-3-clips-.*\.zip$/);
    const entries = unzipStore(new Uint8Array(zip.bytes));
    expect(entries.map((e) => e.name)).toEqual([
      'take 1-aclipse-10dB.wav',
      'take 2-aclipse-10dB.wav',
      'take 3-aclipse-10dB.wav',
    ]);
    entries.forEach((e, i) => {
      const w = decodeWav(e.data);
      expect(w.sampleRate).toBe(16000);
      expect(w.channels[0]!.length).toBe(Math.round((1 + 0.25 * i) * 16000));
      expect(snrDb(decodeWav(files[i]!.buffer).channels[0]!, w.channels[0]!)).toBeGreaterThanOrEqual(10 - 0.05);
    });

    // Each row says which method and budget made it; re-protecting one with noise makes the set mixed, and the
    // page says so before the download, whose file names tell them apart.
    await expect(rows.nth(0)).toContainText('Aclipse · 10 dB');
    await expect(page.getByTestId('download-mixed')).toHaveCount(0);
    await rows.nth(0).locator('.batch-main').click();
    await page.getByTestId('method').selectOption('noise');
    await page.getByTestId('protect').click();
    await expect(rows.nth(0)).toContainText('White noise · 10 dB', { timeout: 60_000 });
    await expect(page.getByTestId('download-mixed')).toContainText('1 × White noise · 10 dB, 2 × Aclipse · 10 dB');
    const mixed = await download(page, 'download-all');
    expect(mixed.name).toMatch(/^aclipse-protected-3-clips-mixed-.*\.zip$/);
    expect(unzipStore(new Uint8Array(mixed.bytes)).map((e) => e.name)).toEqual([
      'take 1-noise-10dB.wav',
      'take 2-aclipse-10dB.wav',
      'take 3-aclipse-10dB.wav',
    ]);
    await page.getByTestId('method').selectOption('aclipse');
    await rows.nth(2).locator('.batch-main').click(); // as before: the last clip selected
  });

  test('spectra: three spectrograms on one scale with the 2 kHz line, band energies and SO/ER attention', async ({}, testInfo) => {
    test.setTimeout(180_000);
    await loadDemo(page, demo[0]!.id);
    await page.getByTestId('protect').click();
    await expect(page.getByTestId('snr')).toBeVisible({ timeout: 120_000 });
    await page.getByRole('tab', { name: 'Spectra' }).click();
    for (const id of ['spectro-original', 'spectro-protected', 'spectro-difference']) {
      const fig = page.getByTestId(id);
      await expect(fig).toBeVisible();
      expect(Number(await fig.getAttribute('data-bins'))).toBe(257);
      // The canvas holds an actual picture, not a blank: many distinct colours.
      const colours = await page.getByTestId(`${id}-canvas`).evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        return seen.size;
      });
      expect(colours, id).toBeGreaterThan(20);
      await expect(fig.getByText('2 kHz').first()).toBeVisible();
    }
    await expect(page.getByTestId('spectro-legend')).toContainText('One colour scale for all three panels');
    const bars = page.getByTestId('band-energy').locator('[data-db]');
    await expect(bars).toHaveCount(6);
    await expect(page.getByTestId('perturbation-high-share')).toHaveText(/^\d+ %$/);
    await expect(page.getByTestId('attention-plot')).toHaveAttribute('data-points', String(2 * 257));
    await expect(page.getByTestId('so-high')).toHaveText(/^\d+ %$/);

    // Clicking a spectrogram seeks playback; the cursor follows.
    const plot = page.getByTestId('spectro-original').locator('.spectro-plot');
    const box = (await plot.boundingBox())!;
    await plot.click({ position: { x: box.width * 0.5, y: box.height / 2 } });
    await expect(page.getByTestId('player-time')).not.toHaveText(/^0:00\.0 \//);

    await expectAxeClean(page, 'Spectra');
    await attachScreenshot(page, testInfo, 'spectra-light');
  });

  test('main screens: axe-clean, dark theme via the toggle, readable on a phone', async ({ browser }, testInfo) => {
    test.setTimeout(180_000);
    await page.getByRole('tab', { name: 'Protect' }).click();
    await expect(page.getByTestId('snr')).toBeVisible();
    await expectAxeClean(page, 'Protect');
    await attachScreenshot(page, testInfo, 'protect-light');

    // Listening: play, switch A/B without losing the place, loop a region set from the cursor.
    await page.getByTestId('play').click();
    await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
    await page.waitForTimeout(600);
    await page.getByTestId('ab-protected').click();
    await expect(page.getByTestId('ab-protected')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('waveform-protected')).toHaveAttribute('data-active', 'true');
    await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
    await page.getByRole('button', { name: 'Pause' }).click();
    const t = await page.getByTestId('waveform-protected').getAttribute('aria-valuenow');
    expect(Number(t)).toBeGreaterThan(0.2);
    await page.getByRole('button', { name: 'Start here' }).click();
    await expect(page.getByTestId('loop-toggle')).toBeChecked();
    await expect(page.getByText(/^Loop \d:\d\d\.\d–\d:\d\d\.\d$/)).toBeVisible();
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(page.getByTestId('loop-toggle')).not.toBeChecked();
    // The waveform is a keyboard slider: arrows seek.
    await page.getByTestId('waveform').focus();
    await page.keyboard.press('Home');
    await expect(page.getByTestId('waveform')).toHaveAttribute('aria-valuenow', '0');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('waveform')).toHaveAttribute('aria-valuenow', '1');

    // Keyboard: the tabs are reachable and switch with the arrow keys.
    await page.getByRole('tab', { name: 'Protect' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Spectra' })).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowLeft');

    // Dark: the system is light here, so the first click already switches to dark.
    await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme-shown', 'light');
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(15, 18, 25)');
    await expectAxeClean(page, 'Protect (dark)');
    await attachScreenshot(page, testInfo, 'protect-dark');
    await page.getByRole('tab', { name: 'Spectra' }).click();
    await attachScreenshot(page, testInfo, 'spectra-dark');
    await page.getByTestId('theme-toggle').click(); // back to the system setting
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/);

    // A phone-sized viewport with the system in dark mode: one column, nothing wider than the screen.
    const phone = await openApp(browser, 'wasm', {
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      isMobile: true,
      hasTouch: true,
    });
    await loadDemo(phone.page, demo[1]!.id);
    await phone.page.getByTestId('protect').click();
    await expect(phone.page.getByTestId('snr')).toBeVisible({ timeout: 120_000 });
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAxeClean(phone.page, 'Protect (phone)');
    await attachScreenshot(phone.page, testInfo, 'protect-phone-dark');
    await phone.context.close();
  });
});
