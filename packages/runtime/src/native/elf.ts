import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Just enough of an ELF reader to check a TensorFlow library before linking against it: the CPU it
 * was built for, the shared libraries it needs, and which of a set of symbols it defines. Reads the
 * header, the section headers and `.dynsym` / `.dynstr` (ELF64 little-endian, as on x86-64 and
 * aarch64 Linux), no more (libtensorflow_cc.so.2 of TF 2.21 is 788 MB; these parts are ~90 MB).
 */

/** `e_machine` values of the CPUs TensorFlow ships Linux wheels for. */
const MACHINES: Record<number, string> = { 62: 'x86-64', 183: 'aarch64', 3: 'x86', 40: 'arm' };

/** What {@link readElf} found. */
export interface ElfSummary {
  /** `'x86-64'`, `'aarch64'`, … or `'e_machine N'`. */
  machine: string;
  /** `DT_NEEDED` entries (shared libraries it links). */
  needed: string[];
  /** The wanted symbols that are defined (not undefined references) in `.dynsym`. */
  defined: Set<string>;
}

/** Why a file is not a library this machine can load, as one phrase; undefined when it is ELF64 LE. */
export class NotElfError extends Error {
  override name = 'NotElfError';
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) throw new NotElfError(`truncated at byte ${offset + done}`);
    done += n;
  }
  return buf;
}

/** Reads `path`'s ELF header, `DT_NEEDED` and which of `wanted` it defines. */
export function readElf(path: string, wanted: Iterable<string> = []): ElfSummary {
  const fd = openSync(path, 'r');
  try {
    const h = readAt(fd, 0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46) {
      const magic = h.readUInt32BE(0);
      const what =
        magic === 0xcffaedfe || magic === 0xcefaedfe ? 'a macOS (Mach-O) library' : 'not an ELF file';
      throw new NotElfError(what);
    }
    if (h[4] !== 2 || h[5] !== 1) throw new NotElfError('not a 64-bit little-endian ELF file');
    const eMachine = h.readUInt16LE(18);
    const machine = MACHINES[eMachine] ?? `e_machine ${eMachine}`;
    const shoff = Number(h.readBigUInt64LE(40));
    const shentsize = h.readUInt16LE(58);
    const shnum = h.readUInt16LE(60);
    const sh = readAt(fd, shoff, shentsize * shnum);
    const section = (i: number) => ({
      type: sh.readUInt32LE(i * shentsize + 4),
      offset: Number(sh.readBigUInt64LE(i * shentsize + 24)),
      size: Number(sh.readBigUInt64LE(i * shentsize + 32)),
      link: sh.readUInt32LE(i * shentsize + 40),
      entsize: Number(sh.readBigUInt64LE(i * shentsize + 56)),
    });
    const needed: string[] = [];
    const defined = new Set<string>();
    const want = new Set(wanted);
    for (let i = 0; i < shnum; i++) {
      const s = section(i);
      if (s.type === 6 /* SHT_DYNAMIC */) {
        const strtab = section(s.link);
        const dyn = readAt(fd, s.offset, s.size);
        const neededOffsets: number[] = [];
        for (let o = 0; o + 16 <= dyn.length; o += 16) {
          const tag = dyn.readBigInt64LE(o);
          if (tag === 0n) break;
          if (tag === 1n /* DT_NEEDED */) neededOffsets.push(Number(dyn.readBigUInt64LE(o + 8)));
        }
        for (const off of neededOffsets) {
          const name = readAt(fd, strtab.offset + off, Math.min(256, strtab.size - off));
          needed.push(name.subarray(0, name.indexOf(0)).toString('latin1'));
        }
      }
      if (s.type === 11 /* SHT_DYNSYM */ && want.size > 0) {
        const strtab = section(s.link);
        const str = readAt(fd, strtab.offset, strtab.size);
        const syms = readAt(fd, s.offset, s.size);
        const entsize = s.entsize || 24;
        for (let o = 0; o + entsize <= syms.length; o += entsize) {
          const shndx = syms.readUInt16LE(o + 6);
          if (shndx === 0) continue; // an undefined reference, not a definition
          const nameOff = syms.readUInt32LE(o);
          if (str[nameOff] !== 0x54 /* 'T' */) continue; // every TF_/TFE_ name starts with T
          const end = str.indexOf(0, nameOff);
          const name = str.toString('latin1', nameOff, end);
          if (want.has(name)) defined.add(name);
        }
      }
    }
    return { machine, needed, defined };
  } finally {
    closeSync(fd);
  }
}
