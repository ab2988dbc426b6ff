/**
 * npm run screenshot -- [--clip s3955_flite_kal16] [--out docs/img/protect.png] [--backend wasm] [--word 2]
 *
 * Renders the README's picture of the Protect screen: serves the production build (run `npm run build` first) with
 * `vite preview`, opens it in Debian's Chromium, loads a demo clip, protects it with the shipped weights at the
 * default 10 dB budget, and saves a screenshot of the page. Prints what the screen shows (SNR, WER, emotions), so
 * the caption can quote it. `--word N` protects only the N-th word of the transcript (1-based), picked on screen.
 */
import { argOr } from './flags';
import { withPreviewBrowser } from './preview';

const PORT = 4175;

async function main(): Promise<void> {
  const clip = argOr('clip', 's3955_flite_kal16');
  const out = argOr('out', 'docs/img/protect.png');
  const backend = argOr('backend', 'wasm');
  await withPreviewBrowser(PORT, async (browser, origin) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await page.goto(`${origin}/?backend=${backend}`);
    // The models load on first need; ask for them so the shot shows the loaded generator.
    await page.getByTestId('models-load').click({ timeout: 120_000 });
    await page.getByTestId('generator-select').waitFor({ timeout: 180_000 });
    await page.getByTestId('demo-select').selectOption(clip);
    await page.getByTestId('demo-load').click();
    await page
      .getByTestId('clip-name')
      .filter({ hasText: `${clip}.wav` })
      .waitFor({ timeout: 60_000 });
    const word = Number(argOr('word', '0'));
    if (word > 0) {
      await page.getByTestId('scope-spans').click();
      await page.getByTestId('find-words').click();
      await page
        .getByTestId('word-chip')
        .nth(word - 1)
        .click({ timeout: 120_000 });
    }
    await page.getByTestId('protect').click();
    await page.getByTestId('snr').waitFor({ timeout: 300_000 });
    await page.getByTestId('waveform-protected').and(page.locator('[data-ready="true"]')).waitFor({ timeout: 60_000 });
    const facts = {
      snrDb: await page.getByTestId('snr').getAttribute('data-value'),
      wer: await page.getByTestId('wer').getAttribute('data-value'),
      verdict: await page.getByTestId('emotion-verdict').textContent(),
      original: await page.getByTestId('transcript-original').textContent(),
      spans: word > 0 ? await page.getByTestId('span-result').allTextContents() : undefined,
    };
    if (word > 0) await page.getByTestId('span-editor').scrollIntoViewIfNeeded();
    await page.screenshot({ path: out, fullPage: false });
    console.log(`wrote ${out}: ${JSON.stringify(facts)}`);
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
