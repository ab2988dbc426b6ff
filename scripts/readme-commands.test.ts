import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config, { PORT } from '../playwright.config';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

describe("the README's two commands", () => {
  it('npm test serves its e2e build on a port npm start does not hold', () => {
    const m = /--port\s+(\d+)/.exec(pkg.scripts.preview ?? '');
    expect(m, 'npm start serves with vite preview --port N').not.toBeNull();
    const startPort = Number(m?.[1]);
    expect(PORT).not.toBe(startPort);
    const server = Array.isArray(config.webServer) ? config.webServer[0] : config.webServer;
    expect(server?.command).toContain(`--port ${PORT}`);
    expect(server?.command).toContain('--strictPort');
    // Reusing "a server on that port" could test somebody else's app; the e2e run always starts its own.
    expect(server?.reuseExistingServer).toBe(false);
    const readme = readFileSync('README.md', 'utf8').split('\n').slice(0, 8).join('\n');
    expect(readme).toContain(`localhost:${startPort}`);
  });
});
