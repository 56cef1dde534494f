import { Bench } from 'tinybench';
import type { Cell } from './report';

export interface MeasureOptions {
  /** Time budget per case and column, ms (tinybench keeps going until it and `minIterations` are met). */
  budgetMs: number;
  minIterations: number;
  /** A warm-up call slower than this is reported on its own, without more calls (e.g. 47 s cpu steps). */
  singleShotMs: number;
}

/**
 * Median wall time of `fn` in ms. One warm-up call first (it also surfaces errors such as a missing
 * kernel, reported as `{ error }`); very slow calls are timed once.
 */
export async function measure(fn: () => void, opts: MeasureOptions): Promise<Cell> {
  let warm: number;
  try {
    const t0 = performance.now();
    fn();
    warm = performance.now() - t0;
  } catch (err) {
    return { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
  }
  if (warm >= opts.singleShotMs) return { ms: warm, iterations: 1 };
  const bench = new Bench({
    time: opts.budgetMs,
    iterations: opts.minIterations,
    warmup: false,
    throws: true,
  });
  bench.add('case', fn);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') return { error: `tinybench: ${result.state}` };
  return { ms: result.latency.p50, iterations: result.latency.samplesCount };
}
