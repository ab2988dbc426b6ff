export { SAMPLE_RATE } from './constants';
export { encodeWav, decodeWav, WavError, type DecodedWav } from './wav';
export { resample, toMono, type ResampleOptions } from './resample';
export { to16kMono, decodeWavTo16kMono } from './convert';
export {
  MIN_DURATION_S,
  MAX_DURATION_S,
  MAX_FILE_BYTES,
  SILENCE_PEAK,
  clipStats,
  formatDuration,
  validateDuration,
  validateFile,
  validateSamples,
  type AudioIssueCode,
  type ClipStats,
  type FileLike,
  type Validation,
} from './validate';
