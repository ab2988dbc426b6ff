import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EOT_CONFIG } from '../../src/core/aclipse/eot';
import { loadAclipseConfig } from './config';

describe('loadAclipseConfig: EOT', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aclipse-config-'));
  const write = (train: Record<string, unknown>) => {
    const file = path.join(dir, `${Object.keys(train).join('-') || 'plain'}.json`);
    writeFileSync(file, JSON.stringify({ name: 't', generator: { so: {}, er: {} }, train }));
    return file;
  };

  it('is off unless the config names it, and fills unnamed fields from the defaults', () => {
    expect('eot' in loadAclipseConfig(write({})).train).toBe(false);
    const cfg = loadAclipseConfig(write({ eot: { noiseSnrDb: [25, 30] } })).train.eot!;
    expect(cfg.noiseSnrDb).toEqual([25, 30]);
    expect(cfg.p).toEqual(DEFAULT_EOT_CONFIG.p);
    expect(cfg.lowpassHz).toEqual(DEFAULT_EOT_CONFIG.lowpassHz);
  });
});
