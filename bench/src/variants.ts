import {
  registerWasmFastKernels,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  useBestBackend,
} from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';
import type { Column } from './report';

/**
 * The tfjs columns of the table and how each sets up the engine before its cases run. A column
 * marked `ownProcess` runs in a child process of the runner (the wasm backend initializes once
 * per process, and threads must be chosen before that).
 */
export const VARIANTS: { column: Column; setup: () => Promise<void>; ownProcess?: boolean }[] = [
  {
    column: 'cpu',
    setup: async () => {
      await tf.setBackend('cpu');
    },
  },
  {
    column: 'wasm-stock',
    setup: async () => {
      restoreStockWasmKernels();
      await tf.setBackend('wasm');
    },
  },
  {
    column: 'wasm',
    setup: async () => {
      await tf.setBackend('wasm');
      registerWasmTrainingKernels();
      registerWasmFastKernels();
    },
  },
  {
    column: 'wasm-2t',
    ownProcess: true,
    setup: async () => {
      const choice = await useBestBackend({ backend: 'wasm', wasmThreads: 2, log: false });
      if (choice.wasmThreads?.threads !== 2) {
        throw new Error(`wasm threads: ${choice.wasmThreads?.detail ?? 'not available'}`);
      }
    },
  },
];
