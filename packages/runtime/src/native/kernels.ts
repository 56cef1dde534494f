import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel fixes for tfjs-node's `tensorflow` backend (4.22), registered by `useBestBackend` when it
 * picks a native backend.
 *
 * `ZerosLike` / `OnesLike`: tfjs-node runs TensorFlow's ZerosLike op on the input tensor, so it
 * reads the input's data. The gradient tape calls `zerosLike(y)` for every output `y` of an op
 * that gets no gradient, and such an output may already be disposed (e.g. a `tf.tidy` inside a
 * custom gradient) — on cpu and wasm that is fine (their kernels only use shape and dtype, e.g.
 * tfjs-backend-cpu `ZerosLike` = `fill`), on tfjs-node it failed with "Cannot read properties of
 * undefined (reading 'backend')" in `Engine.moveData`. These versions fill by shape and dtype with
 * the backend's own `Fill` kernel, as the cpu backend does.
 */
export function registerNativeKernelFixes(backendName = 'tensorflow'): string[] {
  const fill = tf.getKernel('Fill', backendName);
  if (!fill) return [];
  const registered: string[] = [];
  for (const [kernelName, value] of [
    ['ZerosLike', 0],
    ['OnesLike', 1],
  ] as const) {
    const stock = tf.getKernel(kernelName, backendName);
    if (stock && (stock.kernelFunc as { paperstack?: boolean }).paperstack) {
      registered.push(kernelName);
      continue;
    }
    const kernelFunc: tf.KernelFunc = (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      // complex64 and string keep TensorFlow's kernel (Fill makes neither)
      if ((x.dtype === 'complex64' || x.dtype === 'string') && stock) return stock.kernelFunc(args);
      return fill.kernelFunc({
        inputs: {},
        backend: args.backend,
        attrs: { shape: x.shape, value, dtype: x.dtype },
      });
    };
    (kernelFunc as { paperstack?: boolean }).paperstack = true;
    if (stock) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
    registered.push(kernelName);
  }
  return registered;
}
