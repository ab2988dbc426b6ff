import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

/** Written by e2e/global-setup.ts with our own encodeWav; Chromium plays it as the fake microphone. */
export const FAKE_MIC_WAV = join(tmpdir(), 'aclipse-e2e', 'fake-mic.wav');
/**
 * The e2e server's own port: never the one `npm start` serves on (4173), so `npm test` passes while the app runs.
 * E2E_PORT lets parallel checkouts on one machine each use their own.
 */
export const PORT = Number(process.env.E2E_PORT ?? 4183);

const baseArgs = [
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-audio-capture=${FAKE_MIC_WAV}`,
];

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  // One browser worker: the CI machine has 2 cores, and software WebGPU wants one of them to itself.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    acceptDownloads: true,
    trace: 'retain-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu', ...baseArgs] },
  },
  projects: [
    { name: 'chromium', testIgnore: /no-webgpu\.spec\.ts/ },
    {
      // Same browser without --enable-unsafe-webgpu: proves a forced WebGPU that cannot start is an error.
      name: 'chromium-no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: '/usr/bin/chromium', args: baseArgs } },
    },
  ],
  webServer: {
    // The production build (npm test builds first), served like `npm start` serves it.
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    // A server already on this port belongs to something else (another checkout, an old run): fail, never test it.
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
