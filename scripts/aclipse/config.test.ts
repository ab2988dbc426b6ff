import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EOT_CONFIG } from '../../src/core/aclipse/eot';
import { DEFAULT_VOICE_AUGMENT } from '../../src/core/augment/voice';
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

/** A run config file named `name` in a fresh folder of `prefix`, with only `train` set. */
function configWriter(prefix: string): (name: string, train: Record<string, unknown>) => string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return (name, train) => {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ name: 't', generator: { so: {}, er: {} }, train }));
    return file;
  };
}

describe('loadAclipseConfig: input voices', () => {
  const write = configWriter('aclipse-config-voice-');

  it('is off unless named, fills unnamed voice ranges from the defaults, and rejects a bad probability', () => {
    expect('inputVoice' in loadAclipseConfig(write('plain', {})).train).toBe(false);
    const iv = loadAclipseConfig(write('on', { inputVoice: { prob: 0.6, voice: { pitchProb: 0, tempoProb: 0 } } }))
      .train.inputVoice!;
    expect(iv.prob).toBe(0.6);
    expect(iv.voice.pitchProb).toBe(0);
    expect(iv.voice.tempoProb).toBe(0);
    expect(iv.voice.formant).toEqual(DEFAULT_VOICE_AUGMENT.formant);
    expect(() => loadAclipseConfig(write('bad', { inputVoice: { prob: 1.5 } }))).toThrow(/probability/);
  });
});

describe('loadAclipseConfig: cue keeping', () => {
  const write = configWriter('aclipse-config-cue-');

  it('passes the weights through and rejects a missing or negative one', () => {
    expect(loadAclipseConfig(write('plain', {})).train.cueKeep).toBeUndefined();
    const weights = { pitch: 2, tilt: 0.5, level: 0 };
    expect(loadAclipseConfig(write('on', { cueKeep: weights })).train.cueKeep).toEqual(weights);
    expect(() => loadAclipseConfig(write('neg', { cueKeep: { ...weights, tilt: -1 } }))).toThrow(/cueKeep/);
    expect(() => loadAclipseConfig(write('part', { cueKeep: { pitch: 1 } }))).toThrow(/cueKeep/);
  });
});
