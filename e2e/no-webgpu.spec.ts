import { expect, test } from '@playwright/test';

// Runs in the 'chromium-no-webgpu' project: Chromium without --enable-unsafe-webgpu has no adapter here.
test('a forced WebGPU backend that cannot start is an error shown to the user, never a silent fallback', async ({
  page,
}) => {
  await page.goto('/?backend=webgpu');
  const chip = page.getByTestId('backend-chip');
  await expect(chip).toHaveAttribute('data-phase', 'failed', { timeout: 30_000 });
  await expect(chip).toHaveAttribute('data-backend', '');
  await expect(page.locator('[data-code="engine-error"]')).toContainText('WebGPU was requested (?backend=webgpu)');
});
