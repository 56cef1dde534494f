/**
 * Immune repertoires as bags of CDR3 amino-acid sequences (DeepRC, Widrich et al. 2020): simulated
 * repertoires with an implanted motif, the repertoire TSV layout, and k-mer encoding.
 */
import { randInt, uniform } from '@paperstack/example-kit';

/** The 20 standard amino acids (one-letter codes). */
export const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';
const CODE = new Map([...AMINO_ACIDS].map((c, i) => [c, i]));

export class RepertoireFormatError extends Error {
  override name = 'RepertoireFormatError';
}

export interface SimulationOptions {
  /** Sequences per repertoire (bag size). */
  numSequences: number;
  /** Fraction of a positive repertoire's sequences that carry the motif (the witness rate). */
  witnessRate: number;
  /** The implanted motif (amino acids). Default 'GLYW'. */
  motif?: string;
  /** Sequence lengths are uniform in [minLength, maxLength]. Default 12–16 (typical CDR3 lengths). */
  minLength?: number;
  maxLength?: number;
}

/**
 * One simulated repertoire as letter codes (0–19), `lengths[i]` letters per sequence packed into
 * `letters` with a stride of `maxLength`. Background letters are i.i.d. uniform over the 20 amino
 * acids (DeepRC's simulated data used real or LSTM-generated backgrounds; ours is the simplest).
 * A positive repertoire gets the motif implanted at a random position of
 * `max(1, round(witnessRate·numSequences))` random sequences; a negative one gets none (the motif
 * can still occur by chance, about (L−3)/20⁴ ≈ 7·10⁻⁵ per sequence for a 4-mer). `witnessIndices`
 * lists the implanted sequences (ascending), e.g. to measure how much attention they receive.
 */
export function simulateRepertoire(seed: number, positive: boolean, o: SimulationOptions) {
  const { numSequences: N, witnessRate, motif = 'GLYW', minLength = 12, maxLength = 16 } = o;
  if (!Number.isInteger(N) || N < 1)
    throw new RepertoireFormatError(`numSequences: expected an integer ≥ 1, received ${N}`);
  if (!(witnessRate >= 0 && witnessRate <= 1))
    throw new RepertoireFormatError(`witnessRate: expected a number in [0, 1], received ${witnessRate}`);
  if (![...motif].every((c) => CODE.has(c)) || motif.length > minLength) {
    throw new RepertoireFormatError(
      `motif: expected ≤ ${minLength} standard amino acids, received '${motif}'`,
    );
  }
  const rand = uniform(seed);
  const letters = new Uint8Array(N * maxLength);
  const lengths = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const len = minLength + randInt(rand, maxLength - minLength + 1);
    lengths[i] = len;
    for (let j = 0; j < len; j++) letters[i * maxLength + j] = randInt(rand, 20);
  }
  let witnesses = 0;
  const chosen = new Set<number>();
  if (positive) {
    witnesses = Math.max(1, Math.round(witnessRate * N));
    while (chosen.size < Math.min(witnesses, N)) chosen.add(randInt(rand, N));
    for (const i of chosen) {
      const at = randInt(rand, lengths[i] - motif.length + 1);
      for (let j = 0; j < motif.length; j++) letters[i * maxLength + at + j] = CODE.get(motif[j])!;
    }
  }
  const witnessIndices = Int32Array.from(chosen).sort();
  return { letters, lengths, maxLength, witnesses, witnessIndices };
}

/** Letter codes back to sequences (for writing TSV files). */
export function toSequences(r: { letters: Uint8Array; lengths: Uint8Array; maxLength: number }): string[] {
  return Array.from(r.lengths, (len, i) =>
    Array.from(r.letters.subarray(i * r.maxLength, i * r.maxLength + len), (c) => AMINO_ACIDS[c]).join(''),
  );
}

/** Column names tried, in order, for the CDR3 amino-acid sequence (case-insensitive). */
export const SEQUENCE_COLUMNS = [
  'amino_acid',
  'cdr3_aa',
  'junction_aa',
  'cdr3',
  'aaseqcdr3',
  'cdr3_amino_acid',
];
/** Column names tried for the sequence count (optional). */
export const COUNT_COLUMNS = ['templates', 'duplicate_count', 'count', 'clonecount', 'counts'];

export interface Repertoire {
  sequences: string[];
  /** Per-sequence counts (templates / duplicate_count), 1 when the file has no count column. */
  counts: number[];
}

export interface ParseOptions {
  /** Column with the CDR3 amino-acid sequence. Default: the first of {@link SEQUENCE_COLUMNS} present. */
  sequenceColumn?: string;
  /** Column with the counts. Default: the first of {@link COUNT_COLUMNS} present, else none. */
  countColumn?: string | null;
  /** Field separator. Default tab. */
  separator?: string;
  /** Name for error messages. */
  source?: string;
}

/**
 * Parses one repertoire file in the common layout (one file per repertoire, a header row, one row
 * per sequence; ImmunoSEQ/DeepRC `amino_acid` + `templates`, AIRR `junction_aa` + `duplicate_count`,
 * …). Rows with an empty sequence are skipped (non-productive rearrangements often have none).
 */
export function parseRepertoireTsv(text: string, o: ParseOptions = {}): Repertoire {
  const sep = o.separator ?? '\t';
  const src = o.source ?? 'repertoire';
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0)
    throw new RepertoireFormatError(`${src}: expected a header row, received an empty file`);
  const header = lines[0].split(sep).map((h) => h.trim().toLowerCase());
  const find = (name: string) => header.indexOf(name.toLowerCase());
  const seqCol =
    o.sequenceColumn != null
      ? find(o.sequenceColumn)
      : (SEQUENCE_COLUMNS.map(find).find((i) => i >= 0) ?? -1);
  if (seqCol < 0) {
    throw new RepertoireFormatError(
      `${src}: sequenceColumn: expected a column named ${o.sequenceColumn ?? SEQUENCE_COLUMNS.join(' / ')}, received columns ${header.join(', ')}`,
    );
  }
  let countCol = -1;
  if (o.countColumn != null) {
    countCol = find(o.countColumn);
    if (countCol < 0) {
      throw new RepertoireFormatError(
        `${src}: countColumn: expected a column named ${o.countColumn}, received columns ${header.join(', ')}`,
      );
    }
  } else if (o.countColumn === undefined) countCol = COUNT_COLUMNS.map(find).find((i) => i >= 0) ?? -1;
  const sequences: string[] = [];
  const counts: number[] = [];
  for (let r = 1; r < lines.length; r++) {
    const f = lines[r].split(sep);
    const seq = (f[seqCol] ?? '').trim().toUpperCase();
    if (seq === '' || seq === 'NA') continue;
    sequences.push(seq);
    let c = 1;
    if (countCol >= 0) {
      c = Number(f[countCol]);
      if (!Number.isFinite(c) || c < 0) {
        throw new RepertoireFormatError(
          `${src}: row ${r + 1}: count: expected a number ≥ 0, received '${f[countCol]}'`,
        );
      }
    }
    counts.push(c);
  }
  return { sequences, counts };
}

/** Rows of a repertoire TSV file (for tests and for exporting simulated data). */
export function formatRepertoireTsv(sequences: string[], counts?: number[]): string {
  return `amino_acid\ttemplates\n${sequences.map((s, i) => `${s}\t${counts?.[i] ?? 1}`).join('\n')}\n`;
}

/** k-mers per sequence for sequences of at most `maxLength` letters. */
export const kmerPositions = (maxLength: number, k: number) => Math.max(1, maxLength - k + 1);

/**
 * k-mer indices `[N · P]` (P = maxLength − k + 1): index = Σ code·20^j, so 20^k rows of an
 * embedding table. Short sequences repeat their first k-mer as padding; k-mers with a non-standard letter and sequences shorter than k get the extra
 * row 20^k.
 */
export function encodeKmers(
  r: { letters: Uint8Array; lengths: Uint8Array; maxLength: number },
  k: number,
): { indices: Int32Array; positions: number } {
  const P = kmerPositions(r.maxLength, k);
  const N = r.lengths.length;
  const unknown = 20 ** k;
  const out = new Int32Array(N * P);
  for (let i = 0; i < N; i++) {
    const len = r.lengths[i];
    const base = i * r.maxLength;
    const n = len - k + 1;
    for (let p = 0; p < P; p++) {
      if (n < 1) {
        out[i * P + p] = unknown;
        continue;
      }
      const s = p < n ? p : 0;
      let idx = 0;
      for (let j = 0; j < k; j++) {
        const c = r.letters[base + s + j];
        if (c >= 20) {
          idx = unknown;
          break;
        }
        idx = idx * 20 + c;
      }
      out[i * P + p] = idx;
    }
  }
  return { indices: out, positions: P };
}

/** Sequences (strings) to the letter-code layout of {@link encodeKmers}; unknown letters get code 20. */
export function toLetters(sequences: string[], maxLength?: number) {
  const L = maxLength ?? sequences.reduce((m, s) => Math.max(m, s.length), 1);
  const letters = new Uint8Array(sequences.length * L);
  const lengths = new Uint8Array(sequences.length);
  sequences.forEach((s, i) => {
    const len = Math.min(s.length, L, 255);
    lengths[i] = len;
    for (let j = 0; j < len; j++) letters[i * L + j] = CODE.get(s[j]) ?? 20;
  });
  return { letters, lengths, maxLength: L };
}
