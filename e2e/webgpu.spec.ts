import { expect, test } from '@playwright/test';
import { readSelfTest, waitForEngine } from './helpers';

type DebugWindow = { __aclipse: { engine: { simulateFailure(kind: string): Promise<void> } } };

// SwiftShader compiles each WebGPU shader slowly (10–30 s for the first ops); this is the one slow test.
test('?backend=webgpu really runs on WebGPU (SwiftShader), matches wasm, and falls back to wasm when the device is lost', async ({
  page,
}) => {
  test.setTimeout(300_000);

  await page.goto('/?backend=wasm#engine');
  await waitForEngine(page, 'wasm');
  await page.getByTestId('selftest-run').click();
  await expect(page.getByTestId('selftest-backend')).toHaveText('wasm');
  const reference = await readSelfTest(page);

  await page.goto('/?backend=webgpu&debug#engine');
  // Fails (with the engine's own error) if WebGPU could not start; a fallback would show another backend.
  await waitForEngine(page, 'webgpu', 120_000);
  await expect(page.getByTestId('engine-reason')).toContainText('Forced by ?backend=webgpu');
  await expect(page.getByTestId('engine-adapter')).toContainText(/swiftshader/i);
  await page.getByTestId('selftest-run').click();
  await expect(page.getByTestId('selftest-backend')).toHaveText('webgpu', { timeout: 240_000 });
  const gpu = await readSelfTest(page);
  // WebGPU also passes the check against the float64 reference.
  await expect(page.getByTestId('selftest-verdict')).toHaveAttribute('data-pass', 'true');

  expect(Object.keys(gpu).sort()).toEqual(Object.keys(reference).sort());
  for (const [name, want] of Object.entries(reference)) {
    const tolerance = 1e-4 + 1e-3 * Math.abs(want);
    expect(Math.abs(gpu[name]! - want), `${name}: webgpu ${gpu[name]} vs wasm ${want}`).toBeLessThanOrEqual(tolerance);
  }

  await page.evaluate(() => (window as unknown as DebugWindow).__aclipse.engine.simulateFailure('device-lost'));
  const notice = page.locator('[data-code="engine-notice"]');
  await expect(notice).toContainText('The GPU device was lost');
  await expect(notice).toContainText('now runs on wasm');
  await waitForEngine(page, 'wasm');
  await expect(page.getByTestId('engine-report')).toContainText('GPU device was lost earlier');
});
