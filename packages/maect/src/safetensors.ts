import { SafetensorsError } from './errors';
import type { StateDict } from './state-dict';

/**
 * The safetensors format (huggingface/safetensors, `README.md` "Format"): an unsigned little-endian
 * 64-bit header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`,
 * then the raw little-endian tensor bytes, offsets relative to the end of the header. It is small and
 * fixed enough that a 100-line reader is safer than a dependency: no npm package for it is in our
 * registry list, and reading needs no code execution (unlike `.pth` pickles).
 */
export interface Safetensors {
  tensors: StateDict;
  /** The optional `__metadata__` string map. */
  metadata: Record<string, string>;
}

const BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(view: DataView, dtype: string, count: number): Float32Array {
  const out = new Float32Array(count);
  const n = BYTES[dtype];
  for (let i = 0; i < count; i++) {
    const o = i * n;
    switch (dtype) {
      case 'F32':
        out[i] = view.getFloat32(o, true);
        break;
      case 'F64':
        out[i] = view.getFloat64(o, true);
        break;
      case 'F16':
        out[i] = half(view.getUint16(o, true));
        break;
      case 'BF16':
        out[i] = new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0];
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(o, true));
        break;
      case 'I32':
        out[i] = view.getInt32(o, true);
        break;
      case 'I16':
        out[i] = view.getInt16(o, true);
        break;
      case 'I8':
        out[i] = view.getInt8(o);
        break;
      default:
        out[i] = view.getUint8(o);
    }
  }
  return out;
}

/**
 * Reads a `.safetensors` file. Every tensor is returned as float32 (`F32`, `F64`, `F16`, `BF16` and
 * integer dtypes are converted), in the file's (PyTorch) layout.
 */
export function readSafetensors(bytes: Uint8Array): Safetensors {
  if (bytes.byteLength < 8)
    throw new SafetensorsError(`safetensors: expected at least 8 bytes, received ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.byteLength - 8)
    throw new SafetensorsError(
      `safetensors: header length ${headerLen} exceeds the ${bytes.byteLength - 8} bytes after it`,
    );
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsError(`safetensors: header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const tensors: StateDict = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = entry as { dtype: string; shape: number[]; data_offsets: number[] };
    const size = BYTES[dtype];
    if (!size) throw new SafetensorsError(`safetensors: tensor '${name}' has unsupported dtype ${dtype}`);
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = offsets;
    if (!(begin >= 0 && end <= dataLen && end - begin === count * size))
      throw new SafetensorsError(
        `safetensors: tensor '${name}' (${dtype} [${shape}]) needs ${count * size} bytes, its offsets [${begin}, ${end}] give ${end - begin} within ${dataLen}`,
      );
    const tview = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    tensors[name] = { shape: shape.slice(), data: decode(tview, dtype, count) };
  }
  return { tensors, metadata };
}

/** Writes float32 tensors as `.safetensors` (keys sorted, header padded to 8 bytes, as the reference writer does). */
export function writeSafetensors(tensors: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const name of names) {
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count)
      throw new SafetensorsError(
        `safetensors: tensor '${name}' has ${t.data.length} values, shape [${t.shape}] needs ${count}`,
      );
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + count * 4] };
    off += count * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + off);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let pos = 8 + head.length;
  for (const name of names) {
    const d = tensors[name].data;
    for (let i = 0; i < d.length; i++) view.setFloat32(pos + i * 4, d[i], true);
    pos += d.length * 4;
  }
  return out;
}
