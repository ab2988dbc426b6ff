/**
 * Microphone recording with MediaRecorder. The recording is decoded like any file afterwards, so it gets the same
 * validation (too short, silent) and the same 16 kHz conversion.
 */
import { MAX_DURATION_S } from '../../core/audio';
import { AudioInputError } from './decode';

export interface RecorderHandle {
  /** Stops and resolves with the recorded audio. */
  stop(): Promise<Blob>;
  /** Stops and discards. */
  cancel(): void;
  /** Current input level 0..1 (RMS of the latest block), for a meter. */
  level(): number;
  readonly startedAt: number;
}

export function micError(err: unknown): AudioInputError {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new AudioInputError(
      'mic-denied',
      'Microphone access was denied. Allow the microphone for this site in the browser’s address bar, then try again. Your clips are unchanged.',
    );
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return new AudioInputError('mic-missing', 'No microphone was found. Connect one, or load a file instead.');
  }
  if (name === 'NotReadableError') {
    return new AudioInputError('mic-busy', 'The microphone is in use by another application or could not be opened.');
  }
  return new AudioInputError(
    'mic-failed',
    `Recording could not start: ${err instanceof Error ? err.message : String(err)}`,
  );
}

function pickMimeType(): string | undefined {
  const candidates = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];
  return candidates.find((t) => MediaRecorder.isTypeSupported(t));
}

/**
 * Starts recording. `onLimit` fires if the recording reaches the clip length limit, after which the caller should stop.
 */
export async function startRecording(onLimit: () => void): Promise<RecorderHandle> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new AudioInputError(
      'mic-unavailable',
      'This browser cannot record audio here (a secure context is required).',
    );
  }
  if (typeof MediaRecorder === 'undefined') {
    throw new AudioInputError('mic-unavailable', 'This browser has no MediaRecorder, so it cannot record.');
  }
  let stream: MediaStream;
  try {
    // Raw signal: echo cancellation and noise suppression would alter the voice the models judge.
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (err) {
    throw micError(err);
  }
  const mimeType = pickMimeType();
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  const chunks: Blob[] = [];
  recorder.addEventListener('dataavailable', (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  });

  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const block = new Float32Array(analyser.fftSize);

  const releaseDevices = () => {
    for (const t of stream.getTracks()) t.stop();
    void ctx.close().catch(() => undefined);
  };
  const limitTimer = setTimeout(onLimit, MAX_DURATION_S * 1000);
  recorder.start(250);
  const startedAt = performance.now();

  return {
    startedAt,
    level() {
      analyser.getFloatTimeDomainData(block);
      let sq = 0;
      for (let i = 0; i < block.length; i++) sq += block[i]! * block[i]!;
      return Math.sqrt(sq / block.length);
    },
    stop() {
      clearTimeout(limitTimer);
      return new Promise<Blob>((resolve, reject) => {
        recorder.addEventListener(
          'stop',
          () => {
            releaseDevices();
            resolve(new Blob(chunks, { type: recorder.mimeType || mimeType || 'audio/webm' }));
          },
          { once: true },
        );
        recorder.addEventListener('error', () => (releaseDevices(), reject(new Error('Recording failed'))), {
          once: true,
        });
        if (recorder.state === 'inactive') {
          releaseDevices();
          resolve(new Blob(chunks, { type: recorder.mimeType || 'audio/webm' }));
        } else recorder.stop();
      });
    },
    cancel() {
      clearTimeout(limitTimer);
      if (recorder.state !== 'inactive') recorder.stop();
      releaseDevices();
    },
  };
}
