/**
 * Emotion cues measured without labels or models (pitch, voicing, loudness, speaking rate) and how much of them a
 * processed clip keeps. Plain TypeScript: the worker, Node scripts and the UI's tests all use it.
 */
export { frameCount, HOP_S, HOP_SAMPLES } from './frames';
export {
  contourForDisplay,
  medianF0,
  PITCH_DEFAULTS,
  semitones,
  trackPitch,
  type F0Contour,
  type PitchOptions,
  type PitchTrack,
} from './pitch';
export {
  loudnessEnvelopeDb,
  SYLLABLE_DEFAULTS,
  syllableEnvelopeDb,
  syllableRate,
  type LoudnessEnvelope,
  type SyllableOptions,
  type SyllableRate,
} from './loudness';
export {
  analyzeCues,
  compareCues,
  CUE_METRICS,
  cueRetention,
  LOUDNESS_FLOOR_DB,
  MIN_COMPARED_FRAMES,
  type CueAnalysis,
  type CueMetric,
  type CueMetricInfo,
  type CueRetention,
} from './retention';
