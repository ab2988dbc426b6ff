/**
 * The production build served by `vite preview` and opened in Debian's Chromium, for the Node tools that drive the
 * real app (bench, screenshot). Run `npm run build` first.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';

/** Flags that keep Chromium off the network and allow WebGPU on a software adapter. */
const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function waitForHttp(url: string, ms: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() - t0 > ms) throw new Error(`${url} did not answer within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Serves dist/ on `port`, runs `fn` with a Chromium and the server's origin, then closes both. */
export async function withPreviewBrowser<T>(
  port: number,
  fn: (browser: Browser, origin: string) => Promise<T>,
): Promise<T> {
  // vite's own script under this node (not npx, whose child would outlive a kill of npx)
  const server = spawn(
    process.execPath,
    [
      path.resolve('node_modules/vite/bin/vite.js'),
      'preview',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
    ],
    {
      stdio: 'ignore',
    },
  );
  try {
    const origin = `http://127.0.0.1:${port}`;
    await waitForHttp(`${origin}/`, 60_000);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      return await fn(browser, origin);
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
}
