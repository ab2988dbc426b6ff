/**
 * AudioWorklet: takes the microphone on the audio thread, resamples it to 16 kHz as it arrives and posts blocks of
 * 16 ms to the page (every 128-frame render quantum, ~3 ms, would flood the page with messages).
 * Loaded with `?worker&url`, so Vite bundles the resampler in.
 */
import { StreamResampler } from '../../core/audio/stream-resample';

// The worklet global scope is not in TypeScript's DOM lib.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessorLike): void;
declare class AudioWorkletProcessorLike {
  readonly port: MessagePort;
}
declare const AudioWorkletProcessor: typeof AudioWorkletProcessorLike;

/** 16 kHz samples per posted block: 16 ms, so waiting for a block adds little to the live latency (bench/live.ts). */
const BLOCK = 256;

export interface CaptureMessage {
  samples: Float32Array;
  /** Samples at 16 kHz posted before this block. */
  offset: number;
}

class CaptureProcessor extends AudioWorkletProcessor {
  // A short filter (16 zero crossings): ~1 ms delay at 48 kHz, still far below 7 kHz aliasing.
  private readonly resampler = new StreamResampler(sampleRate, 16000, { zeroCrossings: 16 });
  private pending: Float32Array[] = [];
  private pendingLength = 0;
  private offset = 0;
  private stopped = false;

  constructor() {
    super();
    this.port.onmessage = (e: MessageEvent<{ type: 'stop' }>) => {
      if (e.data.type !== 'stop' || this.stopped) return;
      this.stopped = true;
      this.add(this.resampler.flush());
      this.post();
      this.port.postMessage({ type: 'stopped' });
    };
  }

  private add(x: Float32Array) {
    if (x.length === 0) return;
    this.pending.push(x);
    this.pendingLength += x.length;
  }

  private post() {
    if (this.pendingLength === 0) return;
    const samples = new Float32Array(this.pendingLength);
    let o = 0;
    for (const p of this.pending) {
      samples.set(p, o);
      o += p.length;
    }
    const msg: CaptureMessage = { samples, offset: this.offset };
    this.offset += samples.length;
    this.pending = [];
    this.pendingLength = 0;
    this.port.postMessage(msg, [samples.buffer]);
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.stopped) return false;
    const channel = inputs[0]?.[0];
    // No input yet (the stream is starting) is silence, not a gap: time must not shrink.
    this.add(this.resampler.push(channel ?? new Float32Array(128)));
    if (this.pendingLength >= BLOCK) this.post();
    return true;
  }
}

registerProcessor('aclipse-capture', CaptureProcessor);
