import { encodeWav } from '../../core/audio';
import type { Clip } from '../store';

export function safeFileName(name: string): string {
  const base = name
    .replace(/\.[a-z0-9]{1,5}$/i, '')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .trim();
  return `${base || 'clip'}.wav`;
}

/** Saves a clip as 16-bit PCM WAV through a temporary object URL (nothing leaves the machine). */
export function downloadClip(clip: Clip): void {
  const bytes = encodeWav(clip.samples, clip.sampleRate);
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'audio/wav' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = safeFileName(clip.name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
