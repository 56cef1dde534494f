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
    TF_FLOAT: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_STRING: number;
  };
  isUsingGpuDevice: boolean;
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

/** The kernel label that selects TensorFlow's oneDNN kernels while oneDNN's rewrites are off. */
const ONEDNN_LABEL = 'MklNameChangeOp';

/** An op attribute as tfjs-node's kernels pass them to `executeSingleOutput`. */
interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}

/**
 * Whether a product of these shapes runs faster through `_MklBatchMatMulV2` than TensorFlow's
 * `BatchMatMulV2`, by a rule read off a grid measured on the 2-vCPU machine (2026-12-07, one thread;
 * README, "oneDNN's kernels by name"): oneDNN costs ~2 µs more per call, which loses on products of
 * under 2²⁰ multiply-adds in all (e.g. [32,64]·[64,64]: 15 vs 13 µs), wins on batches of small
 * matrices (attention [256,65,65]·[256,65,16]: 0.38 vs 1.3 ms; 0.65 vs 4.7 ms with the first operand
 * transposed) and on transposed 2-D operands ([256,4096]ᵀ·[256,256]: 5.7 vs 8.2 ms), and loses on few
 * large matrices ([8,1024,64]·[8,64,1024]: 25 vs 11 ms).
 */
function oneDnnPays(a: number[], b: number[], transposeB: boolean): boolean {
  const [ra, ca] = a.slice(-2);
  const [rb, cb] = b.slice(-2);
  const perEntry = ra * ca * (transposeB ? rb : cb); // m·k·n
  const batch = tf.util.sizeFromShape(
    tf.backend_util.assertAndGetBroadcastShape(a.slice(0, -2), b.slice(0, -2)),
  );
  return batch * perEntry >= 2 ** 20 && (batch === 1 || perEntry <= 2 ** 24);
}

/** More than one input channel: the filter's second-to-last axis ([h, w, in, out], [d, h, w, in, out], [h, w, in, mult]). */
const manyChannels = (inputs: tf.TensorInfo[]) => (inputs[1].shape.at(-2) ?? 0) > 1;

/**
 * TensorFlow ops that tfjs-node's kernels run and their oneDNN twins (same inputs and attributes),
 * with when to use the twin. Measured on the 2-vCPU machine, one thread, 2026-12-07 (stock / oneDNN):
 * conv2d x[8,64,64,32] w[3,3,32,32] forward 7.1 / 6.7 ms, input gradient 8.0 / 6.4, filter gradient
 * 16.4 / 8.1; conv3d x[2,10,40,40,16] w[3,3,3,16,32] stride 2 input gradient 319 / 1.5 ms, filter
 * gradient 348 / 1.5 (stride 1: 13.7 / 4.4 and 74 / 4.3); depthwise x[8,64,64,32] 2.3 / 0.33, 2.6 /
 * 0.61, 1.9 / 0.41 ms. Input gradients of single-channel inputs keep TensorFlow's op: with oneDNN's
 * rewrites on, that gradient was once measured wrong (README, "Why oneDNN is off").
 */
const ONEDNN_TWINS: Record<
  string,
  { twin: string; pays?(inputs: tf.TensorInfo[], attrs: OpAttr[]): boolean }
> = {
  BatchMatMulV2: {
    twin: '_MklBatchMatMulV2',
    pays: ([a, b], attrs) =>
      oneDnnPays(a.shape, b.shape, attrs.find((x) => x.name === 'adj_y')?.value === true),
  },
  Conv2D: { twin: '_MklNativeConv2D' },
  Conv2DBackpropInput: { twin: '_MklNativeConv2DBackpropInput', pays: manyChannels },
  Conv2DBackpropFilter: { twin: '_MklNativeConv2DBackpropFilter' },
  Conv3D: { twin: '_MklNativeConv3D' },
  Conv3DBackpropInputV2: { twin: '_MklNativeConv3DBackpropInputV2', pays: manyChannels },
  Conv3DBackpropFilterV2: { twin: '_MklNativeConv3DBackpropFilterV2' },
  DepthwiseConv2dNative: { twin: '_MklNativeDepthwiseConv2dNative' },
  DepthwiseConv2dNativeBackpropInput: {
    twin: '_MklNativeDepthwiseConv2dNativeBackpropInput',
    pays: manyChannels,
  },
  DepthwiseConv2dNativeBackpropFilter: { twin: '_MklNativeDepthwiseConv2dNativeBackpropFilter' },
};

/** The TensorFlow ops {@link routeToOneDnn} routes. */
export const ONEDNN_OPS = Object.keys(ONEDNN_TWINS);

/** Largest difference from TensorFlow's op, relative to its largest value, that a twin's first call may show. */
const TWIN_TOLERANCE = 1e-3;

type ExecuteSingleOutput = (name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]) => tf.Tensor;

/** Backends whose `executeSingleOutput` {@link routeToOneDnn} has wrapped, and whether routing is on. */
const routing = new WeakMap<object, { on: boolean }>();

/**
 * Runs the ops of {@link ONEDNN_TWINS} through TensorFlow's oneDNN kernels, selected by their kernel
 * label, on tfjs-node's CPU backend, while oneDNN's graph and eager rewrites stay off
 * (`TF_ENABLE_ONEDNN_OPTS=0`: README "Why oneDNN is off" — with them on, the demo's pipelines were
 * slower, since every small op then goes through oneDNN too). float32 only. The first call of each
 * op runs both kernels and compares them (within {@link TWIN_TOLERANCE} of the largest value: float32
 * rounding differs, as the twins sum in another order); a twin that fails or differs is dropped for
 * the rest of the process with a warning, as is one that throws later. GPUs keep TensorFlow's ops.
 * `on: false` (`PAPERSTACK_ONEDNN=0` for {@link useBestBackend}) turns the routing off again.
 * Returns the routed TensorFlow op names.
 */
export function routeToOneDnn(
  backendName = 'tensorflow',
  {
    on = true,
    warn = (line: string) => console.warn(line),
  }: { on?: boolean; warn?: (line: string) => void } = {},
): string[] {
  const b = tf.findBackend(backendName) as unknown as
    | (NodeBackend & { executeSingleOutput: ExecuteSingleOutput })
    | null;
  if (!b?.binding?.executeOp || typeof b.executeSingleOutput !== 'function' || b.isUsingGpuDevice) return [];
  const current = routing.get(b);
  if (current) {
    current.on = on;
    return on ? ONEDNN_OPS : [];
  }
  const switchState = { on };
  routing.set(b, switchState);
  const execute = b.executeSingleOutput.bind(b) as ExecuteSingleOutput;
  const state = new Map<string, 'unchecked' | 'ok' | 'off'>(ONEDNN_OPS.map((n) => [n, 'unchecked']));
  const drop = (name: string, why: string) => {
    state.set(name, 'off');
    warn(
      `paperstack: TensorFlow's oneDNN ${ONEDNN_TWINS[name].twin} ${why}; ${name} runs as TensorFlow's own op from now on`,
    );
  };
  b.executeSingleOutput = (name, attrs, inputs) => {
    // every tfjs-node op passes here: the ops without a twin leave at the first test
    const entry = ONEDNN_TWINS[name];
    if (!entry || !switchState.on) return execute(name, attrs, inputs);
    const s = state.get(name);
    const float = attrs.some((a) => a.name === 'T' && a.value === b.binding.TF_FLOAT);
    if (s === 'off' || !float || (entry.pays && !entry.pays(inputs, attrs)))
      return execute(name, attrs, inputs);
    const twinAttrs = [...attrs, { name: '_kernel', type: b.binding.TF_ATTR_STRING, value: ONEDNN_LABEL }];
    let out: tf.Tensor;
    try {
      out = execute(entry.twin, twinAttrs, inputs);
    } catch (err) {
      drop(name, `failed (${String((err as Error).message ?? err).split('\n')[0]})`);
      return execute(name, attrs, inputs);
    }
    if (s === 'ok') return out;
    const want = execute(name, attrs, inputs);
    const diff = tf.tidy(() => {
      const scale = tf.max(tf.abs(want)).dataSync()[0];
      return tf.max(tf.abs(tf.sub(out, want))).dataSync()[0] / Math.max(scale, Number.MIN_VALUE);
    });
    if (!(diff <= TWIN_TOLERANCE)) {
      out.dispose();
      drop(name, `differed from ${name} by ${diff.toExponential(2)} of the largest value on its first call`);
      return want;
    }
    state.set(name, 'ok');
    want.dispose();
    return out;
  };
  return on ? ONEDNN_OPS : [];
}
