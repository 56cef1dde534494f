// nnclr families against lightly e8d317f: NNMemoryBankModule.forward (with and without the
// enqueue), NTXentLoss, and the NNCLR two-view loss — neighbours, indices, bank state, values and
// gradients. Tolerances: parity.test.ts's (forward rtol 1e-4 / atol 1e-5, gradients rtol 1e-3 / atol 1e-5).
import { nnclrTwoViewLoss, ntXentLoss, SupportSet } from '@paperstack/nnclr';
import type { Fixture } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { Checks, type FamilyRunner } from './types';

const FWD = { rtol: 1e-4, atol: 1e-5 };
const GRAD = { rtol: 1e-3, atol: 1e-5 };

const t2 = (fx: Fixture, k: string) => tf.tensor2d(fx.inputs[k].data, fx.inputs[k].shape as [number, number]);

/** lightly's bank: raw rows, truncating enqueue (pointer 0, every row valid). */
function bankFrom(fx: Fixture): SupportSet {
  const [size, dim] = fx.inputs.bank.shape;
  const set = new SupportSet({ size, dim, storage: 'raw', overflow: 'truncate', blockSize: 5 });
  const s = set.getState();
  s.rows.set(fx.inputs.bank.data);
  set.setState(s);
  return set;
}

export const nnclrRunner: FamilyRunner = {
  kind: 'tfjs',
  run(fx) {
    const family = (fx.meta.sweep as { family: string }).family;
    const c = new Checks();
    if (family === 'lightly_bank') {
      const bank = bankFrom(fx);
      const z = t2(fx, 'output');
      try {
        const { neighbours, indices } = bank.lookup(z);
        c.exact('nearest index', Array.from(indices), fx.outputs.index_nearest_neighbours.data);
        c.values('nearest neighbours', 'forward', neighbours, fx.outputs.output, FWD);
        neighbours.dispose();
        if (fx.config.update) {
          // update=True: the lookup used the bank before the enqueue; then the batch is written
          bank.enqueue(z);
          const s = bank.getState();
          c.values('bank after enqueue', 'forward', s.rows, fx.outputs.bank_after, FWD);
          c.exact('bank pointer after enqueue', [s.pointer], fx.outputs.bank_ptr_after.data);
        }
      } finally {
        z.dispose();
        bank.dispose();
      }
      return c.list;
    }
    if (family === 'lightly_ntxent') {
      const temperature = fx.config.temperature as number;
      const [a, b] = [t2(fx, 'out0'), t2(fx, 'out1')];
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) =>
        ntXentLoss(x as tf.Tensor2D, y as tf.Tensor2D, { temperature }),
      )([a, b]);
      c.values('loss', 'forward', value, fx.outputs.loss, FWD);
      c.values('d/d out0', 'gradient', grads[0], fx.grads.out0, GRAD);
      c.values('d/d out1', 'gradient', grads[1], fx.grads.out1, GRAD);
      tf.dispose([a, b, value, grads]);
      return c.list;
    }
    if (family === 'lightly_nnclr') {
      const bank = bankFrom(fx);
      const [z0, z1, p0, p1] = ['z0', 'z1', 'p0', 'p1'].map((k) => t2(fx, k));
      try {
        const nn0 = bank.lookup(z0).neighbours;
        const nn1 = bank.lookup(z1).neighbours;
        c.values('NN(z0)', 'forward', nn0, fx.outputs.nn_z0, FWD);
        c.values('NN(z1)', 'forward', nn1, fx.outputs.nn_z1, FWD);
        const temperature = (fx.config.criterion as { temperature: number }).temperature;
        const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
          nnclrTwoViewLoss(
            {
              predicted0: a as tf.Tensor2D,
              predicted1: b as tf.Tensor2D,
              neighbours0: nn0,
              neighbours1: nn1,
            },
            { variant: 'ntxent', temperature },
          ),
        )([p0, p1]);
        c.values('loss', 'forward', value, fx.outputs.loss, FWD);
        c.values('d/d p0', 'gradient', grads[0], fx.grads.p0, GRAD);
        c.values('d/d p1', 'gradient', grads[1], fx.grads.p1, GRAD);
        tf.dispose([nn0, nn1, value, grads]);
      } finally {
        tf.dispose([z0, z1, p0, p1]);
        bank.dispose();
      }
      return c.list;
    }
    throw new Error(`nnclr runner: unknown family ${family}`);
  },
};
