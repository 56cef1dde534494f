import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  NativeBackendNotSetUpError,
  nativeStatus,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  useBestBackend,
} from './index';
import { ONEDNN_OPS } from './native/kernels';

describe('useBestBackend', () => {
  afterAll(() => tf.setBackend('cpu'));

  const native = nativeStatus('cpu');

  // Written for machines without a GPU (CI, this repo's dev machines): there webgpu has no
  // hardware adapter (at best Mesa's llvmpipe, which the default order refuses).
  it.runIf(!native.ready)(
    'skips the absent or not set up tfjs-node packages and a missing or software GPU, picks wasm, saying why',
    async () => {
      const lines: string[] = [];
      const choice = await useBestBackend({ env: {}, log: (l) => lines.push(l) });
      expect(choice.backend).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      expect(choice.attempts.map((a) => a.candidate)).toEqual([
        'tensorflow-gpu',
        'tensorflow',
        'webgpu',
        'wasm',
      ]);
      expect(choice.attempts[0].detail).toMatch(/@tensorflow\/tfjs-node-gpu not installed/);
      expect(choice.attempts[1].detail).toMatch(
        /^@tensorflow\/tfjs-node (not installed|is installed but .*: run `npx paperstack-native setup`)/,
      );
      expect(choice.attempts[2].detail).toMatch(
        /^(webgpu not installed|webgpu \+ @tensorflow\/tfjs-backend-webgpu failed: no usable WebGPU adapter: .*(software adapter|no adapter))/,
      );
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^paperstack: backend wasm \(wasm, best available\); skipped: /);
      expect(choice.kernels).toEqual(
        expect.arrayContaining([
          'Conv2DBackpropFilter',
          'DepthwiseConv2dNativeBackpropFilter',
          'DepthwiseConv2dNativeBackpropInput',
          'UnsortedSegmentSum',
          'BatchMatMul',
          '_FusedMatMul',
          'Conv2DBackpropInput',
          'GatherV2',
          'Identity',
          'Cast',
        ]),
      );
      expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    },
  );

  it.runIf(native.ready)('picks the native backend once it is set up, before webgpu and wasm', async () => {
    const lines: string[] = [];
    const choice = await useBestBackend({ env: {}, log: (l) => lines.push(l) });
    expect(choice).toMatchObject({
      backend: 'tensorflow',
      candidate: 'tensorflow',
      kernels: ['Cast', 'ZerosLike', 'OnesLike', 'Reshape', 'Transpose', 'Sum', ...ONEDNN_OPS],
    });
    expect(choice.attempts.map((a) => a.candidate)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(lines[0]).toMatch(/^paperstack: backend tensorflow \(tensorflow, best available\)/);
    const [, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')),
    )([tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1])]);
    expect(dw.dataSync()[8]).toBe(16);
  });

  it('registers nothing for other backends, and nothing twice', async () => {
    const cpu = await useBestBackend({ backend: 'cpu', log: false });
    expect(cpu.kernels).toEqual([]);
    registerWasmTrainingKernels(); // registers them unless the wasm choice above did
    const report = registerWasmTrainingKernels();
    expect(report.registered).toEqual([]);
    expect(report.skipped.map((s) => s.reason)).toEqual(new Array(4).fill('already registered'));
  });

  it('can put the published wasm kernels back', async () => {
    restoreStockWasmKernels();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    await useBestBackend({ backend: 'wasm', log: false });
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 1], 'int32'))))(tf.ones([3]));
    expect(Array.from(g.dataSync())).toEqual([0, 2, 0]);
  });

  it('obeys PAPERSTACK_BACKEND', async () => {
    const choice = await useBestBackend({ env: { PAPERSTACK_BACKEND: 'cpu' }, log: false });
    expect(choice).toMatchObject({ backend: 'cpu', candidate: 'cpu' });
    expect(choice.reason).toMatch(/forced/);
  });

  it('leaves gradients usable', async () => {
    await useBestBackend({ backend: 'wasm', log: false });
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor([3]));
    expect(Array.from(g.dataSync())).toEqual([6]);
  });

  it('fails clearly when a forced backend is missing', async () => {
    await expect(useBestBackend({ backend: 'tensorflow-gpu', log: false })).rejects.toThrow(
      BackendUnavailableError,
    );
    await expect(useBestBackend({ backend: 'tensorflow-gpu', log: false })).rejects.toThrow(
      /no usable backend among \[tensorflow-gpu\]: @tensorflow\/tfjs-node-gpu not installed/,
    );
  });

  it.runIf(native.installed && !native.ready)(
    'forced but not set up, the native backend is a NativeBackendNotSetUpError naming the setup command',
    async () => {
      const attempt = useBestBackend({ env: { PAPERSTACK_BACKEND: 'tensorflow' }, log: false });
      await expect(attempt).rejects.toThrow(NativeBackendNotSetUpError);
      await expect(useBestBackend({ backend: 'tensorflow', log: false })).rejects.toThrow(
        /@tensorflow\/tfjs-node is installed but .*: run `npx paperstack-native setup`/,
      );
    },
  );

  it.runIf(native.ready)('PAPERSTACK_BACKEND=tensorflow forces the native backend', async () => {
    await useBestBackend({ backend: 'cpu', log: false });
    const choice = await useBestBackend({ env: { PAPERSTACK_BACKEND: 'tensorflow' }, log: false });
    expect(choice).toMatchObject({ backend: 'tensorflow', candidate: 'tensorflow' });
    expect(choice.reason).toMatch(/forced/);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor([3, -1]));
    expect(Array.from(g.dataSync())).toEqual([6, -2]);
  });

  it('names the argument and the expected values on a bad request', async () => {
    await expect(useBestBackend({ env: { PAPERSTACK_BACKEND: 'gpu' }, log: false })).rejects.toThrow(
      "env PAPERSTACK_BACKEND: expected one of tensorflow | tensorflow-gpu | webgpu | wasm | cpu, received 'gpu'",
    );
  });

  it('uses the webgpu modules it is given (bundled apps), and says when no adapter exists', async () => {
    const requested: unknown[] = [];
    const fakeDawn = {
      create: (flags: string[]) => ({
        requestAdapter: async (o: unknown) => {
          requested.push([flags, o]);
          return null;
        },
      }),
      globals: {},
    };
    await expect(
      useBestBackend({
        backend: 'webgpu',
        log: false,
        env: {},
        webgpuModules: { webgpu: fakeDawn, tfjsBackendWebgpu: {} },
      }),
    ).rejects.toThrow(/no usable WebGPU adapter: vulkan: no adapter; opengles: no adapter/);
    expect(requested).toEqual([
      [['backend=vulkan'], { featureLevel: 'core', powerPreference: 'high-performance' }],
      [['backend=opengles'], { featureLevel: 'compatibility', powerPreference: 'high-performance' }],
    ]);
  });

  it('PAPERSTACK_BACKEND=webgpu takes a software adapter, or fails saying why', async () => {
    const attempt = useBestBackend({ env: { PAPERSTACK_BACKEND: 'webgpu' }, log: false });
    const choice = await attempt.catch((err: unknown) =>
      err instanceof Error ? err : new Error(String(err)),
    );
    if (choice instanceof Error) {
      // No Dawn adapter at all here (no Mesa, or the webgpu package missing).
      expect(choice).toBeInstanceOf(BackendUnavailableError);
      expect(choice.message).toMatch(
        /no usable backend among \[webgpu\]: .*(not installed|no usable WebGPU adapter)/,
      );
      return;
    }
    expect(choice).toMatchObject({ backend: 'webgpu', candidate: 'webgpu' });
    expect(choice.reason).toMatch(/^webgpu \(webgpu, forced by PAPERSTACK_BACKEND\/option\); adapter /);
    expect(choice.webgpu?.api).toMatch(/^(vulkan|opengles)$/);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor([3, -1]));
    expect(Array.from(await g.data())).toEqual([6, -2]);
    tf.dispose(g);
    // The navigator.gpu that tfjs-backend-webgpu's constructor checks is gone again.
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    // Asked again without forcing, the software adapter is not taken.
    const again = await useBestBackend({ env: {}, log: false });
    if (choice.webgpu?.software) expect(again.backend).not.toBe('webgpu');
  });

  it('names the variable and the values on a bad PAPERSTACK_WEBGPU_API', async () => {
    await expect(
      useBestBackend({ env: { PAPERSTACK_BACKEND: 'webgpu', PAPERSTACK_WEBGPU_API: 'metal' }, log: false }),
    ).rejects.toThrow("env PAPERSTACK_WEBGPU_API: expected vulkan | opengles, received 'metal'");
  });
});
