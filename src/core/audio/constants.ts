/** The one sample rate used inside the app and core: every clip is 16 kHz mono Float32 in [-1, 1]. */
export const SAMPLE_RATE = 16000;
