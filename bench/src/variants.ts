import {
  registerWasmFastKernels,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
} from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';
import type { Column } from './report';

/** The tfjs columns of the table and how each sets up the engine before its cases run. */
export const VARIANTS: { column: Column; setup: () => Promise<void> }[] = [
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
];
