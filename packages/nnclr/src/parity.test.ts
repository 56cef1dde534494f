// Parity with lightly (fixtures from ../../shared/fixtures, made by lightly-ai/lightly e8d317f):
// NNMemoryBankModule lookup, NTXentLoss, and the NNCLR loss of lightly's example — values and
// gradients, on cpu and wasm. Tolerances: float32 vs float64 reference, forward rtol 1e-4 /
// atol 1e-5, gradients rtol 1e-3 / atol 1e-5 (fixtures README).
import { describeBackends, expectClose, fixtureTensor, loadFixture } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { nnclrTwoViewLoss, ntXentLoss, SupportSet } from './index';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
const FWD = { rtol: 1e-4, atol: 1e-5 };
const GRAD = { rtol: 1e-3, atol: 1e-5 };

function bankFrom(
  data: number[],
  size: number,
  dim: number,
  storage: 'raw' | 'normalized' = 'raw',
): SupportSet {
  const set = new SupportSet({ size, dim, storage, overflow: 'truncate', blockSize: 5 });
  const s = set.getState();
  s.rows.set(data);
  set.setState(s);
  return set;
}

describeBackends('lightly parity', () => {
  const owned: { dispose(): void }[] = [];
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it('NNMemoryBankModule.forward: nearest bank row (raw rows, argmax cosine)', () => {
    const fx = loadFixture('lightly_nn_memory_bank', FIXTURES);
    const [size, dim] = fx.inputs.bank.shape;
    const bank = bankFrom(fx.inputs.bank.data, size, dim);
    owned.push(bank);
    const z = fixtureTensor(fx.inputs.output) as tf.Tensor2D;
    const { neighbours, indices } = bank.lookup(z);
    expect(Array.from(indices)).toEqual(fx.outputs.index_nearest_neighbours.data);
    expectClose(neighbours, fx.outputs.output, { ...FWD, name: 'nearest neighbours' });
    tf.dispose([z, neighbours]);
  });

  it('normalised storage finds the same rows and returns them normalised', () => {
    const fx = loadFixture('lightly_nn_memory_bank', FIXTURES);
    const [size, dim] = fx.inputs.bank.shape;
    const raw = tf.tensor2d(fx.inputs.bank.data, [size, dim]);
    const unit = tf.div(raw, tf.norm(raw, 'euclidean', 1, true));
    const bank = bankFrom(Array.from(unit.dataSync()), size, dim, 'normalized');
    owned.push(bank);
    const z = fixtureTensor(fx.inputs.output) as tf.Tensor2D;
    const { neighbours, indices } = bank.lookup(z);
    expect(Array.from(indices)).toEqual(fx.outputs.index_nearest_neighbours.data);
    const expected = tf.gather(unit, tf.tensor1d(indices, 'int32'));
    expectClose(neighbours, expected, FWD);
    tf.dispose([raw, unit, z, neighbours, expected]);
  });

  it('NTXentLoss (no memory bank, τ = 0.1): value and gradients', () => {
    const fx = loadFixture('lightly_ntxent_loss', FIXTURES);
    const out0 = fixtureTensor(fx.inputs.out0) as tf.Tensor2D;
    const out1 = fixtureTensor(fx.inputs.out1) as tf.Tensor2D;
    const temperature = fx.config.temperature as number;
    const loss = ntXentLoss(out0, out1, { temperature });
    expectClose(loss, fx.outputs.loss, { ...FWD, name: 'loss' });
    const [g0, g1] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      ntXentLoss(a as tf.Tensor2D, b as tf.Tensor2D, { temperature }),
    )([out0, out1]);
    expectClose(g0, fx.grads.out0, { ...GRAD, name: 'd loss / d out0' });
    expectClose(g1, fx.grads.out1, { ...GRAD, name: 'd loss / d out1' });
    tf.dispose([out0, out1, loss, g0, g1]);
  });

  it("lightly's NNCLR loss: ½[NTXent(NN(z0), p1) + NTXent(NN(z1), p0)], value, neighbours and gradients", () => {
    const fx = loadFixture('lightly_nnclr_symmetric_loss', FIXTURES);
    const [size, dim] = fx.inputs.bank.shape;
    const bank = bankFrom(fx.inputs.bank.data, size, dim);
    owned.push(bank);
    const t = (k: string) => fixtureTensor(fx.inputs[k]) as tf.Tensor2D;
    const [z0, z1, p0, p1] = [t('z0'), t('z1'), t('p0'), t('p1')];
    const nn0 = bank.lookup(z0).neighbours;
    const nn1 = bank.lookup(z1).neighbours;
    expectClose(nn0, fx.outputs.nn_z0, { ...FWD, name: 'NN(z0)' });
    expectClose(nn1, fx.outputs.nn_z1, { ...FWD, name: 'NN(z1)' });
    const temperature = (fx.config.criterion as { temperature: number }).temperature;
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      nnclrTwoViewLoss(
        { predicted0: a as tf.Tensor2D, predicted1: b as tf.Tensor2D, neighbours0: nn0, neighbours1: nn1 },
        { variant: 'ntxent', temperature },
      );
    const loss = f(p0, p1);
    expectClose(loss, fx.outputs.loss, { ...FWD, name: 'loss' });
    const [g0, g1] = tf.grads(f)([p0, p1]);
    expectClose(g0, fx.grads.p0, { ...GRAD, name: 'd loss / d p0' });
    expectClose(g1, fx.grads.p1, { ...GRAD, name: 'd loss / d p1' });
    tf.dispose([z0, z1, p0, p1, nn0, nn1, loss, g0, g1]);
  });

  it('the same loss trained end to end: the lookup inside tf.grad needs no gather gradient', () => {
    // The query z is a function of the differentiated input; the neighbour search goes through
    // the JS side, so the tape has no gather on the path (wasm has no UnsortedSegmentSum).
    const fx = loadFixture('lightly_nnclr_symmetric_loss', FIXTURES);
    const [size, dim] = fx.inputs.bank.shape;
    const bank = bankFrom(fx.inputs.bank.data, size, dim);
    owned.push(bank);
    const t = (k: string) => fixtureTensor(fx.inputs[k]) as tf.Tensor2D;
    const [z0, z1, p0, p1] = [t('z0'), t('z1'), t('p0'), t('p1')];
    const f = (a: tf.Tensor, b: tf.Tensor) => {
      // p = identity "predictor" of z = z + p - z: z depends on the input through the lookup query.
      const nn0 = bank.lookup(tf.add(z0, tf.mul(a, 0)) as tf.Tensor2D).neighbours;
      const nn1 = bank.lookup(tf.add(z1, tf.mul(b, 0)) as tf.Tensor2D).neighbours;
      return nnclrTwoViewLoss(
        { predicted0: a as tf.Tensor2D, predicted1: b as tf.Tensor2D, neighbours0: nn0, neighbours1: nn1 },
        { variant: 'ntxent', temperature: 0.1 },
      );
    };
    const [g0, g1] = tf.grads(f)([p0, p1]);
    expectClose(g0, fx.grads.p0, { ...GRAD, name: 'd loss / d p0' });
    expectClose(g1, fx.grads.p1, { ...GRAD, name: 'd loss / d p1' });
    tf.dispose([z0, z1, p0, p1, g0, g1]);
  });
});
