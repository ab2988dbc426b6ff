import { expect, test } from '@playwright/test';
import { loadFile, pcmWav, tone, waitForEngine } from './helpers';

test('a whole session (engine, load, record, play, download, engine check) makes no off-origin request', async ({
  page,
  context,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  // Context-level: covers the page and its dedicated worker (where tfjs fetches its wasm binary).
  context.on('request', (r) => requests.push(r.url()));
  page.on('request', (r) => requests.push(r.url()));

  await page.goto('/');
  await waitForEngine(page, 'wasm');
  await loadFile(page, 'voice.wav', 'audio/wav', pcmWav([tone(1.5, 16000)], 16000));
  await expect(page.getByTestId('waveform')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('play').click();
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByTestId('record').click();
  await page.waitForTimeout(800);
  await page.getByTestId('record-stop').click();
  await expect(page.getByTestId('clip-name')).toHaveText('Recording 1');
  await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  await page.getByRole('tab', { name: 'Engine' }).click();
  await page.getByTestId('selftest-run').click();
  await expect(page.getByTestId('selftest-backend')).toHaveText('wasm');

  const offOrigin = requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(blob|data):/.test(u));
  expect(offOrigin).toEqual([]);
  // The log is not vacuous: it saw the page, the worker chunk and the wasm binary the worker fetched.
  expect(requests.some((u) => u.includes('/assets/engine.worker'))).toBe(true);
  expect(requests.some((u) => /\/tfjs-wasm\/tfjs-backend-wasm[-a-z]*\.wasm$/.test(u))).toBe(true);
});

test('the Content-Security-Policy blocks off-origin requests from the page and from the engine worker', async ({
  page,
}) => {
  const workerCsp = new Promise<string>((resolve) =>
    page.on('response', (r) => {
      if (r.url().includes('/assets/engine.worker')) resolve(r.headers()['content-security-policy'] ?? '');
    }),
  );
  await page.goto('/');
  await waitForEngine(page, 'wasm');
  expect(await workerCsp).toContain("connect-src 'self'");

  const pageResult = await page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      violations.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
    const fetched = await fetch('http://127.0.0.2:9/exfiltrate').then(
      () => 'sent',
      () => 'blocked',
    );
    const img = await new Promise<string>((resolve) => {
      const i = new Image();
      i.onload = () => resolve('loaded');
      i.onerror = () => resolve('blocked');
      i.src = 'http://127.0.0.2:9/pixel.png';
    });
    await new Promise((r) => setTimeout(r, 100));
    return { fetched, img, violations };
  });
  expect(pageResult.fetched).toBe('blocked');
  expect(pageResult.img).toBe('blocked');
  expect(pageResult.violations).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^connect-src http:\/\/127\.0\.0\.2:9/),
      expect.stringMatching(/^img-src/),
    ]),
  );

  const worker = page.workers().find((w) => w.url().includes('engine.worker'));
  expect(worker, 'engine worker not found').toBeTruthy();
  const workerResult = await worker!.evaluate(async () => {
    const violations: string[] = [];
    self.addEventListener('securitypolicyviolation', (e) =>
      violations.push((e as SecurityPolicyViolationEvent).effectiveDirective),
    );
    const fetched = await fetch('http://127.0.0.2:9/from-worker').then(
      () => 'sent',
      () => 'blocked',
    );
    await new Promise((r) => setTimeout(r, 100));
    return { fetched, violations };
  });
  expect(workerResult.fetched).toBe('blocked');
  expect(workerResult.violations).toContain('connect-src');
});
