import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRepository, claimFiles, parseClaims, updateReadmes } from './check';
import { benchmarksMarkdown, type RunResults } from './report';

const RESULTS = 'bench/results/2026-12-06.json';

function run(withReference = true): RunResults {
  return {
    meta: {
      date: '2026-12-06T22:00:00Z',
      commit: 'abc',
      node: 'v20',
      cpus: '2 × cpu',
      torch: '1.13.0a0',
      quick: false,
      ...(withReference
        ? {
            reference: {
              'torch-1t': { threads: 1, ok: true, problems: [], summary: 'OpenBLAS 0.3.21' },
            },
          }
        : {}),
    },
    cases: [
      {
        id: 'matmul',
        name: 'matMul',
        group: 'matmul',
        cells: { wasm: { ms: 18, iterations: 9 }, 'torch-1t': { ms: 5.6, iterations: 0 } },
      },
    ],
  };
}

const README = [
  '# pkg',
  '',
  'matMul on wasm takes <!--bench:matmul:wasm-->18.0 ms, PyTorch with OpenBLAS',
  '<!--bench:matmul:torch-1t-->5.6 ms: wasm is <!--bench:matmul:wasm/torch-1t-->3.2× slower.',
  'The sweep: <!--bench:bench/results/2026-12-06-kernel-dre.json#sweep-1000:reference/ours-->20× faster.',
  '',
].join('\n');

/** A repository with one results file, its BENCHMARKS.md, a package README with claims. */
function repo(readme = README, results = run()): string {
  const root = mkdtempSync(join(tmpdir(), 'bench-check-'));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  mkdirSync(join(root, 'packages', 'pkg'), { recursive: true });
  writeFileSync(join(root, RESULTS), JSON.stringify(results));
  writeFileSync(
    join(root, 'bench/results/2026-12-06-kernel-dre.json'),
    JSON.stringify({
      meta: results.meta,
      cases: [
        {
          id: 'sweep-1000',
          name: 'sweep',
          group: 'kernel-dre',
          cells: { ours: { ms: 6000, iterations: 1 }, reference: { ms: 120000, iterations: 1 } },
        },
      ],
    }),
  );
  writeFileSync(join(root, 'bench', 'NOTES.md'), '## Notes\n');
  writeFileSync(join(root, 'BENCHMARKS.md'), benchmarksMarkdown(results, '## Notes\n', RESULTS));
  writeFileSync(join(root, 'README.md'), '# repo\n');
  writeFileSync(join(root, 'packages', 'pkg', 'README.md'), readme);
  return root;
}

describe('pnpm bench -- --check', () => {
  it('parses markers: ratio, milliseconds, another results file', () => {
    const claims = parseClaims(README, 'x.md', RESULTS);
    expect(claims.map((c) => [c.line, c.id, c.num, c.den, c.stated, c.unit, c.results])).toEqual([
      [3, 'matmul', 'wasm', undefined, 18, 'ms', RESULTS],
      [4, 'matmul', 'torch-1t', undefined, 5.6, 'ms', RESULTS],
      [4, 'matmul', 'wasm', 'torch-1t', 3.2, '×', RESULTS],
      [5, 'sweep-1000', 'reference', 'ours', 20, '×', 'bench/results/2026-12-06-kernel-dre.json'],
    ]);
  });

  it('passes when every marked number is within 15 % of the results file', () => {
    const r = checkRepository(repo());
    expect(r.problems).toEqual([]);
    expect(r.checked).toBe(4);
  });

  it('fails when a README number is edited by hand', () => {
    const edited = README.replace('-->3.2× slower', '-->0.17× slower');
    const r = checkRepository(repo(edited));
    expect(r.problems).toEqual([
      'packages/pkg/README.md:4: states 0.17× for matmul wasm/torch-1t; bench/results/2026-12-06.json says 3.21× (more than 15 % apart)',
    ]);
    // 15 % is the tolerance: 3.6 (+12 %) passes, 3.8 (+18 %) fails
    expect(checkRepository(repo(README.replace('-->3.2×', '-->3.6×'))).problems).toEqual([]);
    expect(checkRepository(repo(README.replace('-->3.2×', '-->3.8×'))).problems).toHaveLength(1);
    expect(checkRepository(repo(README.replace('-->20×', '-->36×'))).problems[0]).toMatch(
      /README.md:5: states 36× for sweep-1000 reference\/ours; .*kernel-dre.json says 20.0×/,
    );
  });

  it('fails on a marker that names no case or column, and on a hand-edited BENCHMARKS.md', () => {
    const r = checkRepository(
      repo(`${README}\nSee <!--bench:matmul:tf-1t-->4 ms and <!--bench:nope:wasm-->1 ms.\n`),
    );
    expect(r.problems).toEqual([
      "packages/pkg/README.md:7: case 'matmul' has no timed 'tf-1t' cell in bench/results/2026-12-06.json",
      "packages/pkg/README.md:7: no case 'nope' in bench/results/2026-12-06.json",
    ]);
    const root = repo();
    const bm = join(root, 'BENCHMARKS.md');
    writeFileSync(bm, readFileSync(bm, 'utf8').replace('| 18.0 |', '| 11.8 |'));
    expect(checkRepository(root).problems).toEqual([
      `BENCHMARKS.md is not what ${RESULTS} and bench/NOTES.md generate (edited by hand?): run \`pnpm bench -- --md-from ${RESULTS}\``,
    ]);
  });

  it('regenerates the package comparisons listed in BENCHMARKS.md and checks their BLAS records', () => {
    const root = repo();
    const ext = 'bench/results/2026-12-06-kernel-dre.json';
    const extRun = JSON.parse(readFileSync(join(root, ext), 'utf8')) as RunResults;
    const bm = benchmarksMarkdown(run(), '## Notes\n', RESULTS, [{ file: ext, run: extRun }]);
    expect(bm).toContain(`Results file: \`${RESULTS}\`; the packages' comparisons: \`${ext}\``);
    expect(bm).toContain('| sweep | 6000 | 120000 | 20× |');
    writeFileSync(join(root, 'BENCHMARKS.md'), bm);
    expect(checkRepository(root).problems).toEqual([]);
    extRun.meta.reference = { 'reference-2t': { threads: 2, ok: false, problems: ['netlib'], summary: 'x' } };
    writeFileSync(join(root, ext), JSON.stringify(extRun));
    expect(checkRepository(root).problems).toContain(
      `${ext}: column reference-2t ran on a refused BLAS: netlib`,
    );
  });

  it('regenerates bench-table blocks and fails when one was edited by hand', () => {
    const block =
      '<!--bench-table cases=matmul columns=wasm,torch-1t ratios=wasm/torch-1t-->\nold\n<!--/bench-table-->\n';
    const root = repo(`${README}\n${block}`);
    expect(checkRepository(root).problems).toEqual([
      'packages/pkg/README.md: a bench-table differs from the results file: run `pnpm bench -- --update-readmes`',
    ]);
    expect(updateReadmes(root)).toEqual(['packages/pkg/README.md']);
    const text = readFileSync(join(root, 'packages/pkg/README.md'), 'utf8');
    expect(text).toContain(
      [
        '<!--bench-table cases=matmul columns=wasm,torch-1t ratios=wasm/torch-1t-->',
        '| case | wasm + runtime (ms) | PyTorch 1 thread (ms) | wasm + runtime / PyTorch 1 thread |',
        '|---|---:|---:|---:|',
        '| matMul | 18.0 | 5.60 | 3.2× |',
        '<!--/bench-table-->',
      ].join('\n'),
    );
    expect(checkRepository(root).problems).toEqual([]);
    writeFileSync(join(root, 'packages/pkg/README.md'), text.replace('| 5.60 |', '| 70.8 |'));
    expect(checkRepository(root).problems).toHaveLength(1);
  });

  it('fails on a results file whose PyTorch column has no BLAS record', () => {
    expect(checkRepository(repo(README, run(false))).problems).toEqual([
      `${RESULTS}: column torch-1t has no BLAS record (a run from before issue 20?)`,
    ]);
  });

  it('reports comparisons with a reference that carry no marker', () => {
    const r = checkRepository(repo(`${README}\nOur sweep is 25× faster than the Python reference.\n`));
    expect(r.problems).toEqual([]);
    expect(r.unchecked).toEqual([
      'packages/pkg/README.md:7: Our sweep is 25× faster than the Python reference.',
    ]);
  });

  describe('on this repository', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

    it('passes: every marked claim, table and BENCHMARKS.md matches the committed results', () => {
      const r = checkRepository(root);
      expect(r.problems).toEqual([]);
      expect(r.unchecked).toEqual([]);
      expect(r.checked).toBeGreaterThan(20);
    });

    it('fails when a README number is edited by hand', () => {
      const copy = mkdtempSync(join(tmpdir(), 'bench-check-repo-'));
      for (const f of ['BENCHMARKS.md', 'bench/results', ...claimFiles(root)])
        if (existsSync(join(root, f))) cpSync(join(root, f), join(copy, f), { recursive: true });
      const readme = join(copy, 'README.md');
      const text = readFileSync(readme, 'utf8');
      const edited = text.replace(/(<!--bench:matmul:wasm\/torch-1t-->)[0-9.]+×/, '$10.17×');
      expect(edited).not.toBe(text);
      writeFileSync(readme, edited);
      expect(checkRepository(copy).problems).toEqual([
        expect.stringMatching(/^README.md:\d+: states 0.17× for matmul wasm\/torch-1t; /),
      ]);
    });
  });
});
