import { expect, type Page, type TestInfo } from '@playwright/test';

/** 16-bit PCM WAV with any channel count (our encodeWav writes mono only; tests also need stereo 44.1 kHz input). */
export function pcmWav(channels: Float32Array[], rate: number): Buffer {
  const n = channels[0]!.length;
  const nch = channels.length;
  const buf = Buffer.alloc(44 + n * nch * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(nch, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * nch * 2, 28);
  buf.writeUInt16LE(nch * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(n * nch * 2, 40);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nch; c++) {
      const v = Math.max(-32768, Math.min(32767, Math.round(channels[c]![i]! * 32768)));
      buf.writeInt16LE(v, 44 + (i * nch + c) * 2);
    }
  }
  return buf;
}

export function tone(seconds: number, rate: number, freq = 440, amp = 0.3): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

export async function waitForEngine(page: Page, backend: string, timeout = 60_000) {
  const chip = page.getByTestId('backend-chip');
  await expect(chip, 'engine did not become ready on the expected backend').toHaveAttribute(
    'data-phase',
    /ready|failed/,
    {
      timeout,
    },
  );
  if ((await chip.getAttribute('data-phase')) === 'failed') {
    throw new Error(`Engine failed to start: ${await chip.getAttribute('title')}`);
  }
  await expect(chip).toHaveAttribute('data-backend', backend);
}

/** Opens the app on wasm and loads the models (they load on first need; "Load now" asks for them). */
export async function openWithModels(page: Page, timeout = 120_000) {
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  await page.goto('/?backend=wasm');
  await waitForEngine(page, 'wasm', timeout);
  await page.getByTestId('models-load').click();
  await expect(page.getByTestId('generator-select')).toBeVisible({ timeout });
}

export async function loadFile(page: Page, name: string, mimeType: string, buffer: Buffer) {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer });
}

/** Reads the Engine tab's self-test table into numbers. */
export async function readSelfTest(page: Page): Promise<Record<string, number>> {
  const rows = page.getByTestId('selftest-result').locator('tr[data-name]');
  const out: Record<string, number> = {};
  for (const row of await rows.all()) {
    out[(await row.getAttribute('data-name'))!] = Number(await row.getAttribute('data-value'));
  }
  return out;
}

/** Saves a screenshot of the page into the test's artifacts (shown in the report, kept under test-results/). */
export async function attachScreenshot(page: Page, testInfo: TestInfo, name: string, fullPage = true): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  // From the top, so the sticky top bar sits where it belongs in a full-page picture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Axe: no serious or critical accessibility violations on what is shown now. */
export async function expectAxeClean(page: Page, what: string): Promise<void> {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${what}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
  ).toEqual([]);
}
