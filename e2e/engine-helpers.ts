/**
 * Helpers for the engine e2e specs: serve the engine fixtures at the app's own /models/ and /e2e-data/ paths
 * (Playwright routes also catch the engine worker's fetches), and open one page per spec with `?debug`, which
 * exposes the typed engine client as window.__aclipse.engine.
 */
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { EngineClient } from '../src/engine/bridge';
import type { EngineFixtures } from './engine-fixtures';
import { waitForEngine } from './helpers';

/** What `?debug` puts on window. */
export type DebugWindow = Window & { __aclipse: { engine: EngineClient } };

/** Routes /models/** and /e2e-data/** to the fixture folders; everything else goes to the app server. */
export async function serveEngineFixtures(context: BrowserContext, fx: EngineFixtures): Promise<string[]> {
  const served: string[] = [];
  const roots: Record<string, string> = { models: fx.modelsDir, 'e2e-data': fx.datasetDir };
  await context.route(
    (url) => /^\/(models|e2e-data)\//.test(url.pathname),
    async (route) => {
      const url = new URL(route.request().url());
      const [, root, ...rest] = url.pathname.split('/');
      const dir = roots[root!]!;
      const file = normalize(join(dir, ...rest.map(decodeURIComponent)));
      try {
        if (!file.startsWith(dir)) throw new Error('outside the fixture folder');
        const body = await readFile(file);
        served.push(url.pathname);
        await route.fulfill({ status: 200, body, headers: { 'content-type': 'application/octet-stream' } });
      } catch {
        await route.fulfill({ status: 404, body: 'not found' });
      }
    },
  );
  return served;
}

/** One page for a whole spec file (SwiftShader compiles each shader once per page). */
export async function openEnginePage(
  browser: Browser,
  fx: EngineFixtures,
  backend: 'webgpu' | 'wasm',
): Promise<{ context: BrowserContext; page: Page; served: string[] }> {
  const context = await browser.newContext();
  const served = await serveEngineFixtures(context, fx);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page error] ${m.text()}`);
  });
  await page.goto(`/?backend=${backend}&debug`);
  await waitForEngine(page, backend, 120_000);
  await expect
    .poll(() => page.evaluate(() => typeof (window as unknown as DebugWindow).__aclipse?.engine))
    .toBe('object');
  // The app loads the models on first need; load them now so every spec starts from loaded models.
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const m = await (window as unknown as DebugWindow).__aclipse.engine.run('loadModels', {});
          return m.evaluators !== null && m.activeGenerator !== null;
        }),
      { timeout: 120_000 },
    )
    .toBe(true);
  return { context, page, served };
}
