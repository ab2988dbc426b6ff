#!/usr/bin/env node
// Prepares a fresh checkout to run: copies the TensorFlow.js wasm binaries into public/tfjs-wasm/ (git-ignored) so
// the app serves them from its own origin, never from a CDN. The Vite build does the same (vite.config.ts), so
// `npm run build` / `npm test` also work without running this first.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`Aclipse needs Node.js 20 or newer (this is ${process.version}).`);
  process.exit(1);
}

const from = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
if (!existsSync(from)) {
  console.error('node_modules is missing @tensorflow/tfjs-backend-wasm: run `npm ci` first.');
  process.exit(1);
}
const to = join(root, 'public', 'tfjs-wasm');
mkdirSync(to, { recursive: true });
const binaries = readdirSync(from).filter((n) => n.endsWith('.wasm'));
if (binaries.length === 0) {
  console.error(`No .wasm files in ${from}; reinstall dependencies (npm ci).`);
  process.exit(1);
}
for (const name of binaries) {
  const src = join(from, name);
  const dst = join(to, name);
  if (!existsSync(dst) || statSync(dst).size !== statSync(src).size) copyFileSync(src, dst);
}
console.log(`setup: ${binaries.length} tfjs wasm binaries in public/tfjs-wasm/ (${binaries.join(', ')})`);
