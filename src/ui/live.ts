/**
 * Live protection: microphone → AudioWorklet (16 kHz blocks) → the engine worker protects them as they arrive →
 * the protected voice plays (if asked) and is recorded, with the original recorded beside it. On stop both become
 * clips. If the device cannot keep up, live stops with a message; unprotected audio is never played in its place.
 */
import { create } from 'zustand';
import { SAMPLE_RATE } from '../core/audio';
import type { LivePushResult, LiveSession, ProtectMethod } from '../engine/api';
import { isAbortError } from '../core/abort';
import { getEngine } from '../engine/useEngine';
import { micError } from './audio/record';
import type { CaptureMessage } from './audio/capture.worklet';
import workletUrl from './audio/capture.worklet.ts?worker&url';
import { errorText, loadModels } from './shared/jobs';
import { useAppStore } from './store';

export interface LiveState {
  status: 'idle' | 'starting' | 'running' | 'stopping';
  /** Seconds captured so far. */
  seconds: number;
  /** Capture-to-protected delay of the latest audio, in ms (plus the playback buffer when playing). */
  latencyMs: number | null;
  /** Hop + look-ahead: the part of the latency the method itself needs. */
  algorithmicMs: number | null;
  /** Processing time over audio time (1 = exactly real time, on the engine's one thread). */
  load: number | null;
  /** SNR of everything protected so far. */
  snrDb: number | null;
  error: string | null;
}

export const useLive = create<LiveState>()(() => ({
  status: 'idle',
  seconds: 0,
  latencyMs: null,
  algorithmicMs: null,
  load: null,
  snrDb: null,
  error: null,
}));

/** Behind by more than this (captured but not yet protected), live stops: the delay would only grow. */
export const MAX_BACKLOG_S = 1.5;
/** Protected audio is scheduled this far ahead, so small delays in the worker do not cut the sound. */
const PLAYBACK_LEAD_S = 0.05;

interface Running {
  session: LiveSession;
  ctx: AudioContext;
  stream: MediaStream;
  node: AudioWorkletNode;
  play: boolean;
  nextPlay: number;
  originals: Float32Array[];
  protecteds: Float32Array[];
  /** Capture time (performance.now) of each block's end, by the block's end sample. */
  arrivals: { end: number; at: number }[];
  captured: number;
  protectedSamples: number;
  processMs: number;
  pushes: Promise<unknown>;
  failed: string | null;
  label: string;
}

let running: Running | null = null;

function set(patch: Partial<LiveState>) {
  useLive.setState(patch);
}

function captureTime(r: Running, sample: number): number {
  const a = r.arrivals.find((x) => x.end > sample) ?? r.arrivals[r.arrivals.length - 1];
  return a ? a.at - ((a.end - sample) / SAMPLE_RATE) * 1000 : performance.now();
}

function onProtected(r: Running, res: LivePushResult) {
  r.processMs += res.processMs;
  if (res.report.snrDb !== undefined) set({ snrDb: res.report.snrDb });
  const c = res.chunk;
  if (!c) return;
  r.originals.push(c.original);
  r.protecteds.push(c.protected);
  r.protectedSamples = c.start + c.protected.length;
  let latency = performance.now() - captureTime(r, c.start);
  if (r.play) {
    const buf = r.ctx.createBuffer(1, c.protected.length, SAMPLE_RATE);
    buf.getChannelData(0).set(c.protected);
    const src = r.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(r.ctx.destination);
    const at = Math.max(r.ctx.currentTime + PLAYBACK_LEAD_S, r.nextPlay);
    latency += (at - r.ctx.currentTime) * 1000;
    src.start(at);
    r.nextPlay = at + buf.duration;
  }
  // Drop arrival records no later chunk can need.
  while (r.arrivals.length > 2 && r.arrivals[1]!.end <= c.start) r.arrivals.shift();
  set({ latencyMs: latency, load: r.processMs / 1000 / Math.max(1e-9, r.protectedSamples / SAMPLE_RATE) });
}

function onBlock(r: Running, msg: CaptureMessage) {
  if (r.failed) return;
  r.captured = msg.offset + msg.samples.length;
  r.arrivals.push({ end: r.captured, at: performance.now() });
  set({ seconds: r.captured / SAMPLE_RATE });
  const behind = (r.captured - r.protectedSamples) / SAMPLE_RATE;
  if (behind > MAX_BACKLOG_S + useLive.getState().algorithmicMs! / 1000) {
    const rt = r.protectedSamples > 0 ? r.processMs / 1000 / (r.protectedSamples / SAMPLE_RATE) : null;
    void stopLive(
      `This device cannot protect live: it fell ${behind.toFixed(1)} s behind${rt ? ` (each second of audio took ${rt.toFixed(2)} s to protect)` : ''}. Live stopped; what was protected so far is kept. Record a clip and protect it instead.`,
    );
    return;
  }
  const session = r.session.sessionId;
  r.pushes = r.pushes.then(async () => {
    if (r.failed) return;
    try {
      onProtected(r, await getEngine().run('livePush', { sessionId: session, block: msg.samples }));
    } catch (err) {
      if (!r.failed) void stopLive(`Live protection failed: ${errorText(err)}`);
    }
  });
}

/** Starts live protection with the Protect settings; resolves once capturing. Errors end up in the state. */
export async function startLive(opts: { method: ProtectMethod; budgetDb: number; play: boolean }): Promise<void> {
  if (running || useLive.getState().status !== 'idle') return;
  set({ status: 'starting', error: null, seconds: 0, latencyMs: null, load: null, snrDb: null });
  const notify = useAppStore.getState().notify;
  let stream: MediaStream | null = null;
  let ctx: AudioContext | null = null;
  try {
    if (!navigator.mediaDevices?.getUserMedia)
      throw new Error('This browser cannot use the microphone here (a secure context is required).');
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (err) {
      const e = micError(err);
      notify('error', e.message, `input:${e.code}`);
      set({ status: 'idle', error: e.message });
      return;
    }
    await loadModels();
    const session = await getEngine().run('liveStart', { method: opts.method, budgetDb: opts.budgetDb });
    ctx = new AudioContext({ latencyHint: 'interactive' });
    await ctx.audioWorklet.addModule(workletUrl);
    const node = new AudioWorkletNode(ctx, 'aclipse-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
    });
    ctx.createMediaStreamSource(stream).connect(node);
    const r: Running = {
      session,
      ctx,
      stream,
      node,
      play: opts.play,
      nextPlay: 0,
      originals: [],
      protecteds: [],
      arrivals: [],
      captured: 0,
      protectedSamples: 0,
      processMs: 0,
      pushes: Promise.resolve(),
      failed: null,
      label: `Live ${new Date().toLocaleTimeString('en-GB')}`,
    };
    node.port.onmessage = (e: MessageEvent<CaptureMessage | { type: 'stopped' }>) => {
      if ('samples' in e.data) onBlock(r, e.data);
    };
    running = r;
    set({ status: 'running', algorithmicMs: session.algorithmicLatencyS * 1000 });
  } catch (err) {
    for (const t of stream?.getTracks() ?? []) t.stop();
    void ctx?.close().catch(() => undefined);
    const text = `Live protection could not start: ${errorText(err)}`;
    if (!isAbortError(err)) notify('error', text, 'live:start');
    set({ status: 'idle', error: text });
  }
}

function join(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Stops: the capture ends, the worker protects what is left, and the original and protected recordings become two
 * clips (nothing captured is dropped). `reason` marks a stop the user did not ask for.
 */
export async function stopLive(reason?: string): Promise<void> {
  const r = running;
  if (!r || useLive.getState().status === 'stopping') return;
  set({ status: 'stopping' });
  if (reason) {
    r.failed = reason;
    useAppStore.getState().notify('error', reason, 'live:stopped');
  }
  // The worklet flushes its resampler and posts the last block before it says it stopped.
  if (!reason) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      r.node.port.addEventListener('message', (e: MessageEvent<{ type?: string }>) => {
        if (e.data.type === 'stopped') {
          clearTimeout(timer);
          resolve();
        }
      });
      r.node.port.postMessage({ type: 'stop' });
    });
  }
  for (const t of r.stream.getTracks()) t.stop();
  r.node.disconnect();
  await r.pushes;
  try {
    const last = await getEngine().run('liveStop', { sessionId: r.session.sessionId });
    if (!reason) onProtected(r, last);
  } catch {
    // The session may already be gone (an engine restart): what arrived before is still kept below.
  }
  running = null;
  // After the last scheduled sound, so stopping does not cut off what is still playing.
  const tail = Math.max(0, r.nextPlay - r.ctx.currentTime);
  setTimeout(() => void r.ctx.close().catch(() => undefined), tail * 1000 + 100);
  const original = join(r.originals);
  const prot = join(r.protecteds);
  if (original.length > 0) {
    const { addClip, selectClip } = useAppStore.getState();
    const o = addClip({
      name: `${r.label} (original)`,
      samples: original,
      source: 'microphone',
      detail: 'live microphone, 16 kHz',
    });
    addClip({
      name: `${r.label} (protected live)`,
      samples: prot,
      source: 'derived',
      detail: `protected live, SNR ${useLive.getState().snrDb?.toFixed(1) ?? '–'} dB`,
    });
    selectClip(o.id);
  }
  set({ status: 'idle', error: reason ?? null });
}
