import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWavTo16kMono } from '../../src/core/audio';
import { initTf } from '../../src/core/node/tf';
import { runProtect } from './cli';
import type { ProtectReport } from './report';

beforeAll(async () => {
  await initTf('wasm');
});

describe('npm run protect -- --spans', () => {
  it('protects only the marked part with the shipped generator; the rest of the file is the original', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aclipse-spans-'));
    const src = 'public/demo/clips/s3697_festival_ked.wav';
    cpSync(src, path.join(dir, 'in', 'a.wav'), { recursive: true });
    const logs: string[] = [];
    const code = await runProtect(
      [
        path.join(dir, 'in'),
        '--out',
        path.join(dir, 'out'),
        '--spans',
        '0.6-1.4',
        '--budget',
        '10',
        '--json',
        path.join(dir, 'r.json'),
      ],
      {
        io: { log: (l) => logs.push(l), error: (l) => logs.push(l) },
      },
    );
    expect(code).toBe(0);
    const x = decodeWavTo16kMono(readFileSync(src));
    const y = decodeWavTo16kMono(readFileSync(path.join(dir, 'out', 'a.wav')));
    expect(y.length).toBe(x.length);
    const a = Math.round(0.6 * 16000);
    const b = Math.round(1.4 * 16000);
    let outside = 0;
    let inside = 0;
    for (let i = 0; i < x.length; i++) {
      if (i >= a && i < b) inside += y[i] !== x[i] ? 1 : 0;
      else outside += y[i] !== x[i] ? 1 : 0;
    }
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(0.5 * (b - a));
    const report = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as ProtectReport;
    const sp = report.files[0]!.spans!;
    expect(sp).toHaveLength(1);
    expect(sp[0]!.snrDb).toBeGreaterThanOrEqual(10 - 0.01);
    expect(report.files[0]!.snrDb).toBeGreaterThan(sp[0]!.snrDb);
  }, 120_000);

  it('refuses spans it cannot use before touching anything', async () => {
    const io = { log: () => undefined, error: () => undefined };
    expect(await runProtect(['x.wav', '--out', 'o', '--spans', '1.2'], { io })).toBe(2);
  });
});
