/// <reference types="vitest/config" />
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

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

/**
 * Runtime caches outlive service-worker updates, so the models' cache is named after what is in public/models:
 * new weights get a new cache instead of being served stale from the old one.
 */
function modelsVersion(): string {
  const dir = join(root, 'public', 'models');
  const h = createHash('sha256');
  // Nested too: a generator's further weights by budget live in folders inside its own.
  const walk = (sub: string, rel: string): void => {
    for (const f of readdirSync(sub).sort()) {
      const path = join(sub, f);
      const name = `${rel}/${f}`;
      if (statSync(path).isDirectory()) walk(path, name);
      // model.json by content (it names the weights and carries their provenance); the rest by size.
      else if (rel) h.update(`${name}:${f === 'model.json' ? readFileSync(path, 'utf8') : statSync(path).size}\n`);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return h.digest('hex').slice(0, 10);
}

/**
 * Offline after the first visit (Workbox via vite-plugin-pwa). The precache is the app shell and the engine: page,
 * worker chunk, styles, icons. The page has just loaded these, so the precache costs revalidations (304s), not a
 * second download (bench/first-visit.ts measures it). The tfjs wasm binary keeps its unversioned name across tfjs
 * releases, so it is not precached (Workbox would download it again, cache-busted) but cached network-first once
 * the engine has used it. Models and demo clips are not precached either: they would put 6-13 MB on the first
 * visit before the user has asked for anything. They are cached when first used (cache-first; the models' cache
 * is versioned by their content), so a page that has protected once works offline from then on. See src/ui/pwa/.
 */
function pwa(): Plugin[] {
  return VitePWA({
    registerType: 'prompt',
    injectRegister: false,
    includeAssets: ['icons/icon.svg'],
    manifest: {
      name: 'Aclipse · private voice, readable emotion',
      short_name: 'Aclipse',
      description: 'Protect the words in a voice clip while keeping its emotion, entirely in your browser.',
      theme_color: '#3b5bdb',
      background_color: '#ffffff',
      display: 'standalone',
      start_url: '.',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icons/icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
      globIgnores: ['models/**', 'demo/**', 'tfjs-wasm/**'],
      // The engine worker chunk (tfjs) is ~2.4 MB.
      maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      cleanupOutdatedCaches: true,
      // The first visit's page is controlled as soon as the worker activates, so what it uses next is cached.
      clientsClaim: true,
      navigateFallbackDenylist: [/^\/(models|demo|tfjs-wasm)\//],
      runtimeCaching: [
        {
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/models/'),
          handler: 'CacheFirst',
          options: {
            cacheName: `aclipse-models-${modelsVersion()}`,
            cacheableResponse: { statuses: [200] },
            // A missing file answered with the app's page (SPA fallback) must not be kept as a model.
            plugins: [
              {
                cacheWillUpdate: async ({ response }) =>
                  (response.headers.get('content-type') ?? '').includes('text/html') ? null : response,
              },
            ],
          },
        },
        {
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/demo/'),
          handler: 'CacheFirst',
          options: { cacheName: 'aclipse-demo', cacheableResponse: { statuses: [200] } },
        },
        {
          // Online: revalidated (a tfjs upgrade replaces it under the same name); offline: the copy kept here.
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/tfjs-wasm/'),
          handler: 'NetworkFirst',
          options: { cacheName: 'aclipse-engine-wasm', cacheableResponse: { statuses: [200] } },
        },
      ],
    },
  });
}

export default defineConfig({
  plugins: [react(), tfjsWasm(), cspHeader(), ...pwa()],
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
