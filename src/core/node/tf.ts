/**
 * Node-only tfjs setup. The wasm backend (SIMD, one thread) is the fastest backend available in Node here
 * (tfjs-node cannot install); the cpu backend is kept for tiny reference checks.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installFastMatMulGradient } from '../ml/fast-gradients';

export type NodeBackend = 'wasm' | 'cpu';

let wasmPathsSet = false;

/** Initialises tfjs on the given backend (default wasm) and proves it is the one that runs. */
export async function initTf(backend: NodeBackend = 'wasm'): Promise<typeof tf> {
  if (backend === 'wasm' && !wasmPathsSet) {
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(dist + path.sep);
    wasmPathsSet = true;
  }
  installFastMatMulGradient();
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`tfjs backend '${backend}' failed to initialise (got '${tf.getBackend()}')`);
  }
  return tf;
}
