import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBestBackend } from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
// The layer package's test hook (not exported): makes `canReadSync()` false as on webgpu.
import { deviceChecks } from '../../../packages/hopfield-layer/src/device';
import {
  AMINO_ACIDS,
  encodeKmers,
  formatRepertoireTsv,
  parseRepertoireTsv,
  REPERTOIRE_PRESETS,
  RepertoireFormatError,
  runRegimeExperiment,
  runRepertoireExperiment,
  simulateRepertoire,
  toLetters,
  toSequences,
} from './index';
import { loadRepertoireFolder } from './node';
import { TINY_REGIME, TINY_REPERTOIRE } from './tiny-config';

// As the apps do: wasm with the runtime's training kernels (UnsortedSegmentSum for gather gradients).
beforeAll(async () => {
  await useBestBackend({ backend: 'wasm', log: false });
});

describe('helpers', () => {
  it('simulateRepertoire implants the motif in round(witnessRate·N) sequences of positive bags only', () => {
    const opts = { numSequences: 2000, witnessRate: 0.01, motif: 'GLYW' };
    const pos = toSequences(simulateRepertoire(5, true, opts));
    const neg = toSequences(simulateRepertoire(6, false, opts));
    expect(pos).toHaveLength(2000);
    expect(
      pos.every((s) => s.length >= 12 && s.length <= 16 && [...s].every((c) => AMINO_ACIDS.includes(c))),
    ).toBe(true);
    const hits = (xs: string[]) => xs.filter((s) => s.includes('GLYW')).length;
    // 20 implanted; a chance 4-mer occurrence has probability ~7e-5 per sequence.
    expect(hits(pos)).toBeGreaterThanOrEqual(20);
    expect(hits(pos)).toBeLessThanOrEqual(21);
    expect(hits(neg)).toBeLessThanOrEqual(1);
    const { witnessIndices } = simulateRepertoire(5, true, opts);
    expect(witnessIndices).toHaveLength(20);
    expect(
      [...witnessIndices].every((i, j) => pos[i].includes('GLYW') && (j === 0 || i > witnessIndices[j - 1])),
    ).toBe(true);
    expect(simulateRepertoire(6, false, opts).witnessIndices).toHaveLength(0);
    expect(toSequences(simulateRepertoire(5, true, opts))).toEqual(pos); // seeded
    expect(() => simulateRepertoire(1, true, { ...opts, witnessRate: 2 })).toThrow(
      /witnessRate: expected a number in \[0, 1\], received 2/,
    );
    expect(() => simulateRepertoire(1, true, { ...opts, motif: 'GLZ' })).toThrow(RepertoireFormatError);
  });

  it('encodeKmers: base-20 indices, first k-mer repeated as padding, unknown letters to the extra row', () => {
    const r = toLetters(['ACDE', 'ACDEF', 'AXDE', 'AC'], 5);
    const { indices, positions } = encodeKmers(r, 4);
    expect(positions).toBe(2);
    const acde = ((0 * 20 + 1) * 20 + 2) * 20 + 3;
    const cdef = ((1 * 20 + 2) * 20 + 3) * 20 + 4;
    expect(Array.from(indices)).toEqual([acde, acde, acde, cdef, 20 ** 4, 20 ** 4, 20 ** 4, 20 ** 4]);
  });
});

describe('repertoire TSV loader', () => {
  it('parses DeepRC/ImmunoSEQ and AIRR layouts and loads a folder with metadata', () => {
    const dir = mkdtempSync(join(tmpdir(), 'repertoires-'));
    try {
      const a = toSequences(simulateRepertoire(1, true, { numSequences: 50, witnessRate: 0.1 }));
      const b = toSequences(simulateRepertoire(2, false, { numSequences: 30, witnessRate: 0.1 }));
      writeFileSync(
        join(dir, 'rep_a.tsv'),
        formatRepertoireTsv(
          a,
          a.map((_, i) => i + 1),
        ),
      );
      writeFileSync(
        join(dir, 'rep_b.tsv'),
        `sequence_id\tjunction_aa\tduplicate_count\n${b.map((s, i) => `s${i}\t${s}\t2`).join('\n')}\nsx\t\t5\n`,
      );
      writeFileSync(join(dir, 'metadata.csv'), 'ID\tlabel\nrep_a\tpositive\nrep_b\tnegative\n');
      const reps = loadRepertoireFolder(dir, { metadataFile: join(dir, 'metadata.csv') });
      expect(reps.map((r) => [r.id, r.label, r.sequences.length])).toEqual([
        ['rep_a', 'positive', 50],
        ['rep_b', 'negative', 30],
      ]);
      expect(reps[0].sequences).toEqual(a);
      expect(reps[0].counts.slice(0, 3)).toEqual([1, 2, 3]);
      expect(reps[1].counts.every((c) => c === 2)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad files with a RepertoireFormatError naming the argument', () => {
    expect(() => parseRepertoireTsv('')).toThrow(/expected a header row/);
    expect(() => parseRepertoireTsv('v_gene\tj_gene\nA\tB\n', { source: 'x.tsv' })).toThrow(
      /x.tsv: sequenceColumn: expected a column named amino_acid .*received columns v_gene, j_gene/,
    );
    expect(() => parseRepertoireTsv('amino_acid\ttemplates\nCASS\tmany\n')).toThrow(
      /row 2: count: expected a number ≥ 0, received 'many'/,
    );
    expect(() => parseRepertoireTsv('cdr3\nCASS\n', { countColumn: 'reads' })).toThrow(
      /countColumn: expected a column named reads/,
    );
    expect(parseRepertoireTsv('CDR3\nCASS\n', { countColumn: null })).toEqual({
      sequences: ['CASS'],
      counts: [1],
    });
  });
});

describe('experiments (tiny configurations)', () => {
  it('runRegimeExperiment tracks k per layer and head, returns specs, leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const config = TINY_REGIME;
    const r = await runRegimeExperiment(config);
    expect(tf.memory().numTensors).toBe(before);
    // 3 evaluations (0, 2, 4) × 2 layers × 2 heads.
    expect(r.rows).toHaveLength(12);
    expect(r.final).toHaveLength(4);
    for (const row of r.rows) {
      expect(row.meanK).toBeGreaterThanOrEqual(1);
      expect(row.meanK).toBeLessThanOrEqual(6);
    }
    // Histograms: start and end, 2 layers, k = 1…6; fractions sum to 1 per (phase, layer).
    expect(r.histograms).toHaveLength(24);
    const sum = r.histograms
      .filter((h) => h.phase === 'end' && h.layer === 1)
      .reduce((s, h) => s + h.fraction, 0);
    expect(sum).toBeCloseTo(1, 6);
    expect(r.specs.kOverTraining.$schema).toContain('vega-lite');
    expect(JSON.parse(JSON.stringify(r.specs))).toEqual(r.specs);
    await expect(runRegimeExperiment({ ...config, numHeads: 3 })).rejects.toThrow(/divisible by numHeads/);
    // Pointer chasing: tokens are positions, so the vocabulary must be the sequence length.
    await expect(runRegimeExperiment({ ...config, task: 'pointer-chase' })).rejects.toThrow(
      /vocab equal to seqLen .*received vocab 8 and seqLen 6/,
    );
    const chase = await runRegimeExperiment({ ...config, task: 'pointer-chase', vocab: 6 });
    expect(chase.rows).toHaveLength(12);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runRepertoireExperiment returns AUC rows for every pooling, leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const config = {
      ...TINY_REPERTOIRE,
      baseBagSize: 300,
      epochs: 1,
    };
    const messages: string[] = [];
    const r = await runRepertoireExperiment(config, (m) => messages.push(m));
    expect(tf.memory().numTensors).toBe(before);
    expect(r.rows).toHaveLength(6);
    expect(r.table.map((t) => [t.sweep, t.pooling, t.bagSize, t.witnesses])).toContainEqual([
      'witness rate',
      'hopfield',
      300,
      15,
    ]);
    for (const row of r.rows) {
      expect(row.auc).toBeGreaterThanOrEqual(0);
      expect(row.auc).toBeLessThanOrEqual(1);
    }
    expect(messages).toHaveLength(6);
    expect(r.specs.aucVsBagSize.$schema).toContain('vega-lite');
    expect(r.rows[0].diagnostics).toBeUndefined();
  });

  it('records per-epoch diagnostics: gradient norms and the attention mass on witnesses', async () => {
    const before = tf.memory().numTensors;
    const r = await runRepertoireExperiment({
      ...TINY_REPERTOIRE,
      bagSizes: [],
      chunkSize: REPERTOIRE_PRESETS.quick.chunkSize,
      poolings: ['hopfield', 'mean'],
      diagnostics: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    const [hop, mean] = r.rows;
    expect(hop.diagnostics).toHaveLength(2);
    for (const d of hop.diagnostics!) {
      expect(d.witnessMass).toBeGreaterThan(0);
      expect(d.witnessMass).toBeLessThanOrEqual(1);
      expect(d.uniformMass).toBe(0.05);
      expect(d.gradNorm.encoder).toBeGreaterThan(0);
      expect(d.gradNorm.pooling).toBeGreaterThan(0);
    }
    expect(mean.diagnostics![0].witnessMass).toBeUndefined();
    expect(mean.diagnostics![0].gradNorm.pooling).toBe(0);
  });

  it('both experiments run without synchronous reads (as on webgpu in Node) and give the same results', async () => {
    const regime = { ...TINY_REGIME, steps: 2, evalEvery: 1, evalBatch: 4, batchSize: 4 };
    const repertoire = {
      ...TINY_REPERTOIRE,
      bagSizes: [],
      baseBagSize: 100,
      chunkSize: 64,
      poolings: ['hopfield' as const, 'mean' as const],
      diagnostics: true,
    };
    const run = async () => {
      const r = await runRegimeExperiment(regime);
      const p = await runRepertoireExperiment(repertoire);
      return {
        rows: r.rows,
        histograms: r.histograms,
        table: p.table,
        epochs: p.rows.map((row) => row.diagnostics),
      };
    };
    const sync = await run();
    const before = tf.memory().numTensors;
    deviceChecks.forceNoSyncRead = true;
    const spy = vi.spyOn(tf.engine(), 'readSync').mockImplementation(() => {
      throw new Error('synchronous read');
    });
    try {
      const dev = await run();
      expect(spy).not.toHaveBeenCalled();
      expect(tf.memory().numTensors).toBe(before);
      expect(dev.epochs.flat()).toHaveLength(4);
      expect(dev).toEqual(sync);
    } finally {
      spy.mockRestore();
      deviceChecks.forceNoSyncRead = null;
    }
  });
});
