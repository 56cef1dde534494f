import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel fixes for tfjs-node's `tensorflow` backend (4.22), registered by `useBestBackend` when it
 * picks a native backend: `Cast` to the same dtype shares its input (below), and:
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
  // `Cast` to the dtype the tensor has: tfjs-node runs TensorFlow's Cast op (a new buffer, a copy
  // and a binding round trip); tfjs-core's gradients do that for every `Multiply` (126 times per MAE
  // training step of examples/maect). Shares the input as tfjs-node's own `Identity` kernel does.
  const cast = tf.getKernel('Cast', backendName);
  if (cast && (cast.kernelFunc as { paperstack?: boolean }).paperstack) registered.push('Cast');
  else if (cast) {
    const kernelFunc: tf.KernelFunc = (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const b = args.backend as unknown as { incRef?(dataId: object): void };
      if (x.dtype !== (args.attrs as unknown as tf.CastAttrs).dtype || x.dtype === 'string' || !b.incRef)
        return cast.kernelFunc(args);
      b.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    };
    (kernelFunc as { paperstack?: boolean }).paperstack = true;
    tf.unregisterKernel('Cast', backendName);
    tf.registerKernel({ kernelName: 'Cast', backendName, kernelFunc });
    registered.push('Cast');
  }
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

/** The parts of tfjs-node 4.22's `NodeJSKernelBackend` the kernels below use. */
interface NodeBackend {
  binding: {
    createTensor(shape: number[], dtype: number, values: Int32Array): number;
    deleteTensor(id: number): void;
    executeOp(name: string, attrs: unknown[], inputs: number[], numOutputs: number): unknown[];
    TF_INT32: number;
    TF_ATTR_TYPE: number;
  };
  getDTypeInteger(dtype: tf.DataType): number;
  getInputTensorIds(tensors: tf.TensorInfo[]): number[];
  createOutputTensor(metadata: unknown): tf.TensorInfo;
  createReductionOpAttrs(x: tf.TensorInfo, keepDims: boolean): unknown[];
}

/** Int32 vectors kept as TensorFlow handles, per backend, for {@link registerNativeConstantKernels}. */
const constantHandles = new WeakMap<object, Map<string, number>>();
/** Most handles kept per backend; when full, all are freed and the cache starts again. */
const MAX_CONSTANT_HANDLES = 1024;

function int32Handle(backend: NodeBackend, values: readonly number[]): number {
  let cache = constantHandles.get(backend);
  if (!cache) {
    cache = new Map();
    constantHandles.set(backend, cache);
  }
  const key = values.join(',');
  let id = cache.get(key);
  if (id === undefined) {
    if (cache.size >= MAX_CONSTANT_HANDLES) {
      for (const old of cache.values()) backend.binding.deleteTensor(old);
      cache.clear();
    }
    id = backend.binding.createTensor([values.length], backend.binding.TF_INT32, Int32Array.from(values));
    cache.set(key, id);
  }
  return id;
}

/**
 * `Reshape`, `Transpose` and `Sum` for tfjs-node's `tensorflow` backend (4.22) with their int32
 * operand (shape, permutation, axes) kept as a TensorFlow handle per distinct value. tfjs-node's
 * kernels make that operand a new tfjs tensor on every call, whose handle is created and deleted
 * through the binding: a reshape cost 17–27 µs of CPU, 8–9 µs with a cached handle (README, "Where
 * the native time goes"). Same TensorFlow ops, attributes and outputs. Returns the kernel names.
 */
export function registerNativeConstantKernels(backendName = 'tensorflow'): string[] {
  const registered: string[] = [];
  const type = (b: NodeBackend, name: string, dtype: tf.DataType) => ({
    name,
    type: b.binding.TF_ATTR_TYPE,
    value: b.getDTypeInteger(dtype),
  });
  const run = (b: NodeBackend, op: string, attrs: unknown[], x: tf.TensorInfo, operand: readonly number[]) =>
    b.createOutputTensor(
      b.binding.executeOp(op, attrs, [...b.getInputTensorIds([x]), int32Handle(b, operand)], 1)[0],
    );
  // Reshape and Transpose: attributes T and the operand's int32 type attribute
  const withOperand =
    (op: string, operandType: string, operand: (attrs: unknown, x: tf.TensorInfo) => readonly number[]) =>
    ({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]) => {
      const b = backend as unknown as NodeBackend;
      const x = inputs.x as tf.TensorInfo;
      return run(b, op, [type(b, 'T', x.dtype), type(b, operandType, 'int32')], x, operand(attrs, x));
    };
  const kernels: [string, tf.KernelFunc][] = [
    ['Reshape', withOperand('Reshape', 'Tshape', (attrs) => (attrs as tf.ReshapeAttrs).shape)],
    ['Transpose', withOperand('Transpose', 'Tperm', (attrs) => (attrs as tf.TransposeAttrs).perm)],
    [
      'Sum',
      ({ inputs, backend, attrs }) => {
        const b = backend as unknown as NodeBackend;
        const x = inputs.x as tf.TensorInfo;
        const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
        const axes = tf.util.parseAxisParam(axis, x.shape);
        return run(b, 'Sum', b.createReductionOpAttrs(x, keepDims), x, axes);
      },
    ],
  ];
  for (const [kernelName, impl] of kernels) {
    const stock = tf.getKernel(kernelName, backendName);
    if (!stock) continue;
    if ((stock.kernelFunc as { paperstack?: boolean }).paperstack) {
      registered.push(kernelName);
      continue;
    }
    const kernelFunc: tf.KernelFunc = (args) => {
      const b = args.backend as unknown as Partial<NodeBackend>;
      // anything but tfjs-node's backend keeps its own kernel
      if (!b.binding?.executeOp || !b.getInputTensorIds || !b.createOutputTensor)
        return stock.kernelFunc(args);
      return impl(args);
    };
    (kernelFunc as { paperstack?: boolean }).paperstack = true;
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
    registered.push(kernelName);
  }
  return registered;
}
