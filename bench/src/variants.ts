import {
  registerWasmFastKernels,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  useBestBackend,
} from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { type Column, NOT_SET_UP } from './report';

/** Thrown by a column's setup when its backend is not available here: the column reads "not set up". */
export class ColumnNotSetUpError extends Error {
  override name = 'ColumnNotSetUpError';
}

/** Threads of the native TensorFlow columns: TensorFlow reads these when its context is created. */
export function nativeEnv(threads: number): Record<string, string> {
  const t = String(threads);
  return { TF_NUM_INTRAOP_THREADS: t, TF_NUM_INTEROP_THREADS: t, OMP_NUM_THREADS: t };
}

/** The recorded settings of a native column: its thread variables and which oneDNN kernels ran. */
function nativeThreads(threads: number): string {
  const onednn = process.env.TF_ENABLE_ONEDNN_OPTS;
  const routed = process.env.PAPERSTACK_ONEDNN;
  return (
    `${Object.entries(nativeEnv(threads))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}; ` +
    (onednn === undefined
      ? "TF_ENABLE_ONEDNN_OPTS=0 (@paperstack/runtime's default: oneDNN's rewrites off)"
      : `TF_ENABLE_ONEDNN_OPTS=${onednn} (set by the caller)`) +
    (routed === '0'
      ? "; PAPERSTACK_ONEDNN=0 (products and convolutions on TensorFlow's own kernels)"
      : "; products and convolutions through TensorFlow's oneDNN kernels where they pay (@paperstack/runtime's default)")
  );
}

async function nativeSetup() {
  try {
    await useBestBackend({ backend: 'tensorflow', log: false });
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new ColumnNotSetUpError(`${NOT_SET_UP}: ${msg}`);
  }
  if (tf.getBackend() !== 'tensorflow') {
    throw new ColumnNotSetUpError(`${NOT_SET_UP}: useBestBackend chose '${tf.getBackend()}'`);
  }
}

export interface Variant {
  column: Column;
  setup: () => Promise<void>;
  /** Run in a child process of the runner, with `env` added to its environment. */
  ownProcess?: boolean;
  env?: Record<string, string>;
  /** The column's threads, as recorded in the results. */
  threads: string;
}

/**
 * The tfjs columns of the table and how each sets up the engine before its cases run. A column
 * marked `ownProcess` runs in a child process of the runner (the wasm backend initializes once
 * per process, and threads must be chosen before that; TensorFlow reads its thread variables once).
 */
export const VARIANTS: Variant[] = [
  {
    column: 'cpu',
    threads: 'one (the tfjs cpu backend is single-threaded JavaScript)',
    setup: async () => {
      await tf.setBackend('cpu');
    },
  },
  {
    column: 'wasm-stock',
    threads: 'one (the published single-threaded SIMD binary)',
    setup: async () => {
      restoreStockWasmKernels();
      await tf.setBackend('wasm');
    },
  },
  {
    column: 'wasm',
    threads: 'one (the published single-threaded SIMD binary)',
    setup: async () => {
      await tf.setBackend('wasm');
      registerWasmTrainingKernels();
      registerWasmFastKernels();
    },
  },
  {
    column: 'wasm-2t',
    ownProcess: true,
    threads: '`useBestBackend({ wasmThreads: 2 })`',
    setup: async () => {
      const choice = await useBestBackend({ backend: 'wasm', wasmThreads: 2, log: false });
      if (choice.wasmThreads?.threads !== 2) {
        throw new Error(`wasm threads: ${choice.wasmThreads?.detail ?? 'not available'}`);
      }
    },
  },
  {
    column: 'tf-1t',
    ownProcess: true,
    env: nativeEnv(1),
    threads: nativeThreads(1),
    setup: nativeSetup,
  },
  {
    column: 'tf-2t',
    ownProcess: true,
    env: nativeEnv(2),
    threads: nativeThreads(2),
    setup: nativeSetup,
  },
];
