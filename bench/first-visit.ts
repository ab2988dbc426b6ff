/**
 * First-visit bytes: what a new visitor's browser downloads (a) before they do anything (page, engine, service
 * worker precache) and (b) up to the end of their first Protect of a demo clip (models on first need). Measured in
 * Chromium against `vite preview` of dist/, through a counting proxy: every response body the server sends is
 * counted, whoever asked (page, engine worker, service worker), so a file fetched twice counts twice and a 304
 * revalidation counts as the nothing it is. vite preview does not compress, so the gzip column gives what a
 * compressing host would send for the same files.
 */
import { request as httpRequest, createServer } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { withPreviewBrowser } from '../scripts/preview';

export interface Transfer {
  path: string;
  status: number;
  /** Response body bytes as sent. */
  bytes: number;
  /** gzip -6 size of the file in dist/ for a 200 (else the bytes as sent). */
  gzip: number;
  phase: 'before-action' | 'first-protect';
  /** Asked for by the service worker (it sends Service-Worker: script, or a precache/runtime fetch). */
  bySw: boolean;
}

export interface FirstVisitReport {
  transfers: Transfer[];
  beforeAction: { bytes: number; gzip: number };
  firstProtect: { bytes: number; gzip: number };
  /** The page's own JS chunk (dist/assets/index-*.js), gzip -6. */
  pageChunkGzip: number;
}

export const GOALS = { beforeActionBytes: 4_000_000, pageChunkGzip: 300_000 } as const;

function gzipOf(path: string, fallback: number): number {
  const file = join('dist', decodeURIComponent(path.split('?')[0]!));
  if (!path.startsWith('/') || !existsSync(file) || file.endsWith('/')) return fallback;
  try {
    return gzipSync(readFileSync(file)).length;
  } catch {
    return fallback;
  }
}

function pageChunkGzip(): number {
  const names = readdirSync('dist/assets').filter((n) => /^index-.*\.js$/.test(n));
  return names.reduce((n, f) => n + gzipSync(readFileSync(join('dist/assets', f))).length, 0);
}

/** Waits until no request has finished for `quietMs` (network idle, service worker included). */
async function quiet(count: () => number, quietMs = 4000, maxMs = 120_000): Promise<void> {
  const t0 = Date.now();
  let last = count();
  let since = Date.now();
  while (Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

/** A proxy in front of `origin` that records every response it passes on. */
async function countingProxy(
  origin: string,
  port: number,
  record: (t: Omit<Transfer, 'phase'>) => void,
): Promise<{ url: string; close(): void }> {
  const target = new URL(origin);
  const server = createServer((req, res) => {
    const up = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        let bytes = 0;
        upRes.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          res.write(chunk);
        });
        upRes.on('end', () => {
          res.end();
          const path = req.url ?? '/';
          const status = upRes.statusCode ?? 0;
          const fromSw = !!req.headers['service-worker'] || /__WB_REVISION__/.test(path);
          record({
            path,
            status,
            bytes,
            gzip: status === 200 ? gzipOf(new URL(path, origin).pathname, bytes) : bytes,
            bySw: fromSw,
          });
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

export async function firstVisitBench(port = 4398): Promise<FirstVisitReport> {
  return withPreviewBrowser(port, async (browser, origin) => {
    const transfers: Transfer[] = [];
    let phase: Transfer['phase'] = 'before-action';
    const proxy = await countingProxy(origin, port + 1, (t) => transfers.push({ ...t, phase }));
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${proxy.url}/?backend=wasm`);
      await page.locator('[data-testid="backend-chip"][data-phase="ready"]').waitFor({ timeout: 120_000 });
      await quiet(() => transfers.length);

      phase = 'first-protect';
      const demo = page.getByTestId('demo-select');
      const first = await demo.locator('option').nth(1).getAttribute('value');
      await demo.selectOption(first!);
      await page.getByTestId('demo-load').click();
      await page.getByTestId('protect').click();
      await page.getByTestId('snr').waitFor({ timeout: 600_000 });
      await quiet(() => transfers.length);
      await context.close();
    } finally {
      proxy.close();
    }
    const sum = (ph: Transfer['phase'] | null) => {
      const ts = transfers.filter((t) => ph === null || t.phase === ph);
      return { bytes: ts.reduce((n, t) => n + t.bytes, 0), gzip: ts.reduce((n, t) => n + t.gzip, 0) };
    };
    return { transfers, beforeAction: sum('before-action'), firstProtect: sum(null), pageChunkGzip: pageChunkGzip() };
  });
}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

export function printFirstVisit(r: FirstVisitReport): void {
  console.log('First visit (vite preview, Chromium, wasm backend):');
  for (const ph of ['before-action', 'first-protect'] as const) {
    console.log(`  ${ph === 'before-action' ? 'before the user acts' : 'then, up to the first Protect'}:`);
    for (const t of r.transfers.filter((x) => x.phase === ph).sort((a, b) => b.bytes - a.bytes)) {
      console.log(
        `    ${t.path.slice(0, 58).padEnd(58)} ${String(t.status)} ${mb(t.bytes).padStart(9)}  gzip ${mb(t.gzip).padStart(9)}${t.bySw ? '  (service worker)' : ''}`,
      );
    }
  }
  const ok = (v: number, goal: number) => (v <= goal ? 'meets' : 'MISSES');
  console.log(
    `  before the user acts:        ${mb(r.beforeAction.bytes)} as served, ${mb(r.beforeAction.gzip)} gzip (goal ≤ ${mb(GOALS.beforeActionBytes)}: ${ok(r.beforeAction.bytes, GOALS.beforeActionBytes)} as served, ${ok(r.beforeAction.gzip, GOALS.beforeActionBytes)} gzip)`,
  );
  console.log(`  up to the end of 1st Protect: ${mb(r.firstProtect.bytes)} as served, ${mb(r.firstProtect.gzip)} gzip`);
  console.log(
    `  page chunk (index-*.js) gzip: ${(r.pageChunkGzip / 1000).toFixed(1)} kB (goal ≤ ${GOALS.pageChunkGzip / 1000} kB: ${ok(r.pageChunkGzip, GOALS.pageChunkGzip)})`,
  );
}
