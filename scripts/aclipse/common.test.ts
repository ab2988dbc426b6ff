import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/core/node/tf';
import { loadedWeightsSha256, readProtectorDir } from './common';

const SHIPPED = 'public/models/aclipse';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('loadedWeightsSha256', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aclipse-loaded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the bytes each generator was built from, even after the folder changes', async () => {
    await initTf('cpu');
    for (const f of ['model.json', 'weights.bin']) copyFileSync(path.join(SHIPPED, f), path.join(dir, f));
    const want = sha(readFileSync(path.join(dir, 'weights.bin')));
    const gen = await readProtectorDir(dir);
    try {
      // a swap after loading (what a report made beside a weight change would otherwise pick up)
      writeFileSync(path.join(dir, 'weights.bin'), 'other weights');
      expect(loadedWeightsSha256(gen.base)).toBe(want);
      expect(loadedWeightsSha256(gen.base)).not.toBe(sha('other weights'));
      // the banded wrapper is not itself built from bytes; only its generators are
      expect(loadedWeightsSha256(gen)).toBeUndefined();
    } finally {
      gen.dispose();
    }
  });
});
