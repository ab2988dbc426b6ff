/**
 * App state (zustand): the clip library, user-facing messages, the active tab, and a mirror of the engine's status.
 * Clips are 16 kHz mono Float32 and only ever added or removed explicitly, so a failed load never costs a clip.
 */
import { create } from 'zustand';
import { SAMPLE_RATE } from '../core/audio';
import type { EngineState } from '../engine/bridge';

export type ClipSource = 'file' | 'microphone' | 'derived';

export interface Clip {
  id: string;
  name: string;
  /** 16 kHz mono, [-1, 1]. Treat as immutable: derived clips get new arrays. */
  samples: Float32Array;
  sampleRate: number;
  duration: number;
  source: ClipSource;
  /** e.g. the original format and rate: "MP3, 44.1 kHz stereo". */
  detail: string;
  createdAt: number;
}

export type MessageLevel = 'error' | 'warning' | 'info';

export interface AppMessage {
  id: number;
  level: MessageLevel;
  text: string;
  /** Stable machine-readable cause (e.g. 'too-short', 'mic-denied'), used by tests and for de-duplication. */
  code: string;
}

export interface AppState {
  clips: Clip[];
  selectedClipId: string | null;
  activeTab: string;
  messages: AppMessage[];
  /** What the UI is busy with (decoding, recording), for status text; null when idle. */
  busy: string | null;
  engine: EngineState | null;

  addClip(clip: Omit<Clip, 'id' | 'createdAt' | 'sampleRate' | 'duration'>): Clip;
  removeClip(id: string): void;
  selectClip(id: string): void;
  setTab(id: string): void;
  notify(level: MessageLevel, text: string, code?: string): number;
  dismiss(id: number): void;
  setBusy(busy: string | null): void;
}

let nextMessageId = 1;
let nextClipId = 1;

export const useAppStore = create<AppState>()((set) => ({
  clips: [],
  selectedClipId: null,
  activeTab: 'clip',
  messages: [],
  busy: null,
  engine: null,

  addClip(partial) {
    const clip: Clip = {
      ...partial,
      id: `clip-${nextClipId++}`,
      sampleRate: SAMPLE_RATE,
      duration: partial.samples.length / SAMPLE_RATE,
      createdAt: Date.now(),
    };
    set((s) => ({ clips: [...s.clips, clip], selectedClipId: clip.id }));
    return clip;
  },

  removeClip(id) {
    set((s) => {
      const index = s.clips.findIndex((c) => c.id === id);
      const clips = s.clips.filter((c) => c.id !== id);
      const selectedClipId =
        s.selectedClipId === id ? (clips[Math.min(index, clips.length - 1)]?.id ?? null) : s.selectedClipId;
      return { clips, selectedClipId };
    });
  },

  selectClip(id) {
    set({ selectedClipId: id });
  },

  setTab(id) {
    set({ activeTab: id });
  },

  notify(level, text, code = 'general') {
    const id = nextMessageId++;
    // One message per cause: a repeated failure replaces the old text instead of stacking duplicates.
    set((s) => ({ messages: [...s.messages.filter((m) => m.code !== code || code === 'general'), { id, level, text, code }] }));
    return id;
  },

  dismiss(id) {
    set((s) => ({ messages: s.messages.filter((m) => m.id !== id) }));
  },

  setBusy(busy) {
    set({ busy });
  },
}));

export function selectedClip(s: AppState): Clip | null {
  return s.clips.find((c) => c.id === s.selectedClipId) ?? null;
}
