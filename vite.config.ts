/// <reference types="vitest/config" />
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Copies the tfjs-backend-wasm binaries into public/tfjs-wasm/ (git-ignored) so they are served from our own origin.
 * scripts/setup.mjs does the same for `npm start`; doing it here too makes a plain `vite build` work from a clean clone.
 */
export function copyTfjsWasm(): string[] {
  const from = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const to = join(root, 'public', 'tfjs-wasm');
  mkdirSync(to, { recursive: true });
  const copied: string[] = [];
  for (const name of readdirSync(from).filter((n) => n.endsWith('.wasm'))) {
    const src = join(from, name);
    const dst = join(to, name);
    if (!existsSync(dst) || statSync(dst).size !== statSync(src).size) {
      copyFileSync(src, dst);
      copied.push(name);
    }
  }
  return copied;
}

function tfjsWasm(): Plugin {
  return {
    name: 'aclipse:tfjs-wasm',
    buildStart() {
      if (!process.env.VITEST) copyTfjsWasm();
    },
  };
}

/** The Content-Security-Policy written in index.html: the single source for the meta tag and the HTTP header. */
function readCsp(): string {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  if (!m) throw new Error('index.html has no Content-Security-Policy meta tag');
  return m[1]!;
}

/** Vite's dev server injects an inline React Refresh preamble; allow inline scripts in dev only. */
function devCsp(csp: string): string {
  return csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
}

/**
 * A meta CSP does not bind a worker loaded from a URL (it takes the policy of its own response), so the same
 * policy is also sent as a header by `vite preview` and the dev server.
 */
function cspHeader(): Plugin {
  const csp = readCsp();
  return {
    name: 'aclipse:csp',
    config(_config, env) {
      const policy = env.command === 'serve' && env.isPreview !== true ? devCsp(csp) : csp;
      return {
        server: { headers: { 'Content-Security-Policy': policy } },
        preview: { headers: { 'Content-Security-Policy': csp } },
      };
    },
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        return ctx.server ? html.replace(csp, devCsp(csp)) : html;
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), tfjsWasm(), cspHeader()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs lives in the worker chunk only; it is large by nature.
    chunkSizeWarningLimit: 4000,
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'workers/**/*.test.ts'],
    environment: 'node',
  },
});
