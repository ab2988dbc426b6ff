import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { decodeWav, encodeWav, to16kMono } from '../src/core/audio';
import { loadFile, pcmWav, readSelfTest, tone, waitForEngine } from './helpers';

async function expectNoSeriousAxeViolations(page: Page) {
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

const left = tone(2.5, 44100, 440, 0.3);
const right = tone(2.5, 44100, 660, 0.2);
const stereoWav = pcmWav([left, right], 44100);

test('default backend here is wasm, with the reason and the software adapter shown', async ({ page }) => {
  await page.goto('/');
  await waitForEngine(page, 'wasm');
  await expect(page.getByTestId('backend-chip')).toContainText(/software/i);
  await page.getByTestId('backend-chip').click();
  await expect(page.getByTestId('engine-backend')).toHaveText('wasm');
  await expect(page.getByTestId('engine-reason')).toContainText(/software fallback; wasm is faster/);
  await expect(page.getByTestId('engine-adapter')).toContainText(/swiftshader/i);
  await page.getByTestId('selftest-run').click();
  await expect(page.getByTestId('selftest-backend')).toHaveText('wasm');
  const values = await readSelfTest(page);
  expect(Object.keys(values).length).toBeGreaterThanOrEqual(6);
  for (const v of Object.values(values)) expect(Number.isFinite(v)).toBe(true);
  // Each value is shown against its expected value and tolerance, with a verdict.
  await expect(page.getByTestId('selftest-verdict')).toHaveAttribute('data-pass', 'true');
  await expect(page.getByTestId('selftest-result').locator('tr[data-pass="true"]')).toHaveCount(
    Object.keys(values).length,
  );

  await expectNoSeriousAxeViolations(page);
});

test('an unknown ?backend= value is an error, not a silent default', async ({ page }) => {
  await page.goto('/?backend=tpu');
  await expect(page.getByTestId('backend-chip')).toHaveAttribute('data-phase', 'failed');
  await expect(page.locator('[data-code="engine-error"]')).toContainText('Unknown backend “tpu”');
});

test('loads a 44.1 kHz stereo WAV, shows it, plays, downloads an exact 16 kHz WAV; a corrupt file keeps it', async ({
  page,
}) => {
  await page.goto('/');
  await loadFile(page, 'voice.wav', 'audio/wav', stereoWav);
  await expect(page.getByTestId('clip-name')).toHaveText('voice.wav');
  await expect(page.getByTestId('clip-duration')).toHaveText('2.50 s');
  await expect(page.getByTestId('waveform')).toHaveAttribute('data-ready', 'true');

  await page.getByTestId('play').click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expectNoSeriousAxeViolations(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  expect(download.suggestedFilename()).toBe('voice.wav');
  const got = decodeWav(readFileSync((await download.path())!));
  expect(got.sampleRate).toBe(16000);
  expect(got.channels).toHaveLength(1);
  // The app must hold exactly what our resampler makes of the file (same code in Node), to 1 LSB.
  const expected = decodeWav(encodeWav(to16kMono(decodeWav(stereoWav).channels, 44100), 16000)).channels[0]!;
  expect(got.channels[0]!.length).toBe(40000);
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) maxErr = Math.max(maxErr, Math.abs(got.channels[0]![i]! - expected[i]!));
  expect(maxErr).toBeLessThanOrEqual(1 / 32768);

  await loadFile(
    page,
    'broken.mp3',
    'audio/mpeg',
    Buffer.from('ID3\u0003 this is not really an mp3 file at all '.repeat(40)),
  );
  await expect(page.locator('[data-code="input:decode-failed"]')).toContainText('“broken.mp3” could not be decoded');
  await expect(page.getByTestId('clip-name')).toHaveText('voice.wav');
  await expect(page.getByTestId('clip-list').locator('li')).toHaveCount(1);

  await loadFile(
    page,
    'broken.wav',
    'audio/wav',
    Buffer.concat([Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEjunk'), Buffer.alloc(30)]),
  );
  await expect(page.locator('[data-code="input:decode-failed"]')).toContainText('not a readable WAV file');
  await expect(page.getByTestId('clip-name')).toHaveText('voice.wav');
});

test('records from the (fake) microphone', async ({ page }) => {
  await page.goto('/');
  const t0 = Date.now();
  await page.getByTestId('record').click();
  await expect(page.getByTestId('recorder')).toBeVisible();
  await page.waitForTimeout(1500);
  await page.getByTestId('record-stop').click();
  // the clip may not outlast the time between the two clicks: the recorder stops when told (measured, not a fixed
  // bound, because a busy machine delays the clicks themselves)
  const heldMs = Date.now() - t0;
  await expect(page.getByTestId('clip-name')).toHaveText('Recording 1');
  const seconds = parseFloat((await page.getByTestId('clip-duration').textContent())!);
  expect(seconds).toBeGreaterThan(1);
  expect(seconds).toBeLessThanOrEqual(heldMs / 1000 + 0.1);
  await expect(page.getByTestId('waveform')).toHaveAttribute('data-ready', 'true');
});

test('bad input gets a clear message and never costs the clip already loaded', async ({ page }) => {
  await page.goto('/');
  await loadFile(page, 'keep.wav', 'audio/wav', pcmWav([tone(1, 16000)], 16000));
  await expect(page.getByTestId('clip-name')).toHaveText('keep.wav');

  const cases: [string, string, Buffer, string, RegExp][] = [
    ['empty.wav', 'audio/wav', Buffer.alloc(0), 'input:empty-file', /is empty/],
    ['short.wav', 'audio/wav', pcmWav([tone(0.2, 16000)], 16000), 'input:too-short', /at least 0.3 s/],
    ['silence.wav', 'audio/wav', pcmWav([new Float32Array(16000)], 16000), 'input:silent', /silent/],
    ['long.wav', 'audio/wav', pcmWav([tone(601, 8000, 300, 0.1)], 8000), 'input:too-long', /limit is 10 min/],
    ['notes.txt', 'text/plain', Buffer.from('hello'), 'input:unsupported-type', /not an audio file/],
  ];
  for (const [name, type, buffer, code, text] of cases) {
    await loadFile(page, name, type, buffer);
    await expect(page.locator(`[data-code="${code}"]`), name).toContainText(text);
    await expect(page.getByTestId('clip-name')).toHaveText('keep.wav');
  }

  // A video without an audio track, made in the page (canvas → MediaRecorder), dropped onto the window.
  await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    const g = canvas.getContext('2d')!;
    const stream = canvas.captureStream(15);
    const rec = new MediaRecorder(stream, { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((r) => (rec.onstop = r));
    rec.start(100);
    for (let i = 0; i < 8; i++) {
      g.fillStyle = `hsl(${i * 40} 80% 50%)`;
      g.fillRect(0, 0, 64, 64);
      await new Promise((r) => setTimeout(r, 70));
    }
    rec.stop();
    await stopped;
    const dt = new DataTransfer();
    dt.items.add(new File(chunks, 'screen.webm', { type: 'video/webm' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(page.locator('[data-code="input:no-audio-track"]')).toContainText('“screen.webm” has no audio track');
  await expect(page.getByTestId('clip-name')).toHaveText('keep.wav');

  // Dropping a good file works through the same path.
  await page.evaluate(
    (bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'dropped.wav', { type: 'audio/wav' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [...pcmWav([tone(0.8, 22050)], 22050)],
  );
  await expect(page.getByTestId('clip-name')).toHaveText('dropped.wav');
  await expect(page.getByTestId('clip-duration')).toHaveText('0.80 s');
  await expect(page.getByTestId('clip-list').locator('li')).toHaveCount(2);

  // A denied microphone.
  await page.evaluate(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.getByTestId('record').click();
  await expect(page.locator('[data-code="input:mic-denied"]')).toContainText('Microphone access was denied');
  await expect(page.getByTestId('clip-list').locator('li')).toHaveCount(2);
});

test('a crashed engine worker is restarted on wasm, the user is told, and clips survive', async ({ page }) => {
  await page.goto('/?debug');
  await loadFile(page, 'keep.wav', 'audio/wav', pcmWav([tone(1, 16000)], 16000));
  await waitForEngine(page, 'wasm');
  await page.evaluate(() =>
    (
      window as unknown as { __aclipse: { engine: { simulateFailure(k: string): Promise<void> } } }
    ).__aclipse.engine.simulateFailure('crash'),
  );
  const notice = page.locator('[data-code="engine-notice"]');
  await expect(notice).toContainText('The engine worker crashed');
  await expect(notice).toContainText('now runs on wasm');
  await waitForEngine(page, 'wasm');
  await expect(page.getByTestId('clip-name')).toHaveText('keep.wav');
  await page.getByRole('tab', { name: 'Engine' }).click();
  await page.getByTestId('selftest-run').click();
  await expect(page.getByTestId('selftest-backend')).toHaveText('wasm');
});

test('on a narrow phone every tab is fully visible (wrapped, not cut off)', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto('/');
  const tabs = page.getByRole('tab');
  await expect(tabs).toHaveCount(5);
  for (const tab of await tabs.all()) {
    const box = (await tab.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(320);
    // The label is not clipped inside its button either.
    expect(await tab.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await context.close();
});
