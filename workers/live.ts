/**
 * Live protection in the worker: one streaming session at a time, fed by the UI's microphone blocks. The windows
 * are protected like a clip (the generator or a baseline, through protectWave), the stream logic is the core's.
 */
import * as tf from '@tensorflow/tfjs';
import { SAMPLE_RATE } from '../src/core/audio';
import { LiveProtector } from '../src/core/live';
import type { BackendName, LivePushArgs, LivePushResult, LiveSession, LiveStartArgs } from '../src/engine/api';
import type { ModelStore } from './models';
import { checkWave, protectWave } from './protect';

/** The longest block accepted at once: a UI that fell this far behind should stop, not queue more. */
const MAX_BLOCK_S = 5;

export class LiveService {
  private session: { id: string; live: LiveProtector } | null = null;
  private counter = 0;

  constructor(private readonly models: ModelStore) {}

  start(args: LiveStartArgs): LiveSession {
    if (args.method === 'aclipse') this.models.requireGenerator(); // fail now, with the reason, not on the first block
    if (typeof args.budgetDb !== 'number' || !Number.isFinite(args.budgetDb))
      throw new RangeError('The budget must be a number of dB.');
    let seed = 1;
    const live = new LiveProtector(
      // A fresh noise seed per window: the noise baseline would otherwise repeat itself every hop.
      async (window, budgetDb) =>
        (await protectWave(this.models, args.method, window, budgetDb, { seed: seed++ })).wave,
      { budgetDb: args.budgetDb, hopS: args.hopS, lookAheadS: args.lookAheadS, contextS: args.contextS },
    );
    this.session = { id: `live-${++this.counter}`, live };
    return {
      sessionId: this.session.id,
      hopS: live.hop / SAMPLE_RATE,
      lookAheadS: live.lookAhead / SAMPLE_RATE,
      algorithmicLatencyS: live.algorithmicLatencyS,
      backend: tf.getBackend() as BackendName,
    };
  }

  private current(sessionId: string): LiveProtector {
    if (!this.session || this.session.id !== sessionId) throw new Error('This live session has ended; start it again.');
    return this.session.live;
  }

  async push(args: LivePushArgs): Promise<LivePushResult> {
    const live = this.current(args.sessionId);
    if (args.block.length === 0) return { chunk: null, processMs: 0, report: live.report };
    const block = checkWave(args.block, 'The live block');
    if (block.length > MAX_BLOCK_S * SAMPLE_RATE)
      throw new RangeError(`A live block of ${(block.length / SAMPLE_RATE).toFixed(1)} s is too long.`);
    const t0 = performance.now();
    const chunk = await live.push(block);
    return { chunk, processMs: performance.now() - t0, report: live.report };
  }

  async stop(sessionId: string): Promise<LivePushResult> {
    const live = this.current(sessionId);
    const t0 = performance.now();
    const chunk = await live.flush();
    this.session = null;
    return { chunk, processMs: performance.now() - t0, report: live.report };
  }
}
