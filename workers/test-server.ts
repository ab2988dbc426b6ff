/**
 * Test helper: a loopback HTTP server for fixture folders, so worker tests fetch models and datasets the way the app
 * does. Each top-level path segment names a mounted folder (`/models/...` → mounts.models); nothing outside a mount
 * is served.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

export interface FixtureServer {
  /** e.g. http://127.0.0.1:40123 (no trailing slash) */
  base: string;
  close(): void;
}

export async function serveFixtures(
  mounts: Record<string, string>,
  /** 'spa' answers a missing path with an HTML page, as a single-page-app host does; default 404. */
  missing: '404' | 'spa' = '404',
): Promise<FixtureServer> {
  const server = createServer(async (req, res) => {
    const [, mount, ...rest] = new URL(req.url ?? '/', 'http://x').pathname.split('/');
    const dir = mount ? mounts[mount] : undefined;
    const file = dir ? normalize(join(dir, ...rest)) : null;
    try {
      if (!file || !dir || !file.startsWith(dir)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    } catch {
      if (missing === 'spa')
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>');
      else res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, close: () => server.close() };
}
