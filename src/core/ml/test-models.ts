/**
 * The smallest SER / ASR pair the pipeline tests read with: 16 mel bands, 8 channels, one block. For tests only;
 * seconds to build, so a test exercises the real model code without training anything.
 */
import { AsrModel, DEFAULT_ASR_CONFIG, DEFAULT_SER_CONFIG, SerModel } from './models';

export function tinyEvaluators(): { asr: AsrModel; ser: SerModel } {
  const frontend = { ...DEFAULT_ASR_CONFIG.frontend, nMels: 16 };
  const body = { frontend, channels: 8, blocks: 1, kernel: 3, specAugment: null };
  return {
    asr: new AsrModel({ ...DEFAULT_ASR_CONFIG, ...body }),
    ser: new SerModel({ ...DEFAULT_SER_CONFIG, ...body, hidden: 4, downsampleAfter: 0 }),
  };
}
