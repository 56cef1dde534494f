// Runs the selected pipelines in child processes, `jobs` at a time. tfjs engines on the CPU (wasm,
// cpu, tensorflow with one thread per pool) use one core each, so on a 2-core machine two pipelines at
// once take about half the wall time of one after the other. Each child sets the parent's backend up
// itself and runs the pipelines it is handed one at a time; reports come back over IPC.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { BackendCandidate } from '@paperstack/runtime';
import type { Pipeline, PipelineReport, Preset } from './report/types';

/** What the parent tells a child: run this pipeline, or stop. */
export type JobRequest = { kind: 'run'; name: string; preset: Preset; kittiDir?: string } | { kind: 'exit' };

/**
 * A child writes this line to its stdout, then the pipeline's name, when it starts a pipeline: the
 * parent labels the lines that follow with it (stdout and IPC are separate channels, so the request
 * order alone cannot say which pipeline a late line belongs to).
 */
export const PIPELINE_MARK = '\u0000pipeline:';

/** What a child tells the parent. */
export type JobReply =
  | { kind: 'ready' }
  | { kind: 'report'; name: string; report: PipelineReport }
  | { kind: 'error'; name: string; message: string };

/** Shown when `--jobs` is out of range. */
export class DemoJobsError extends Error {
  override name = 'DemoJobsError';
}

/**
 * `--jobs` when the user gave none: one job per core on the engines that use one core each (wasm and
 * cpu, and tensorflow where the runtime gives its pools one thread: at most 2 CPUs); one job on a GPU
 * (one device) and on tensorflow with multi-threaded pools (TensorFlow uses the cores itself).
 */
export function defaultJobs(candidate: BackendCandidate, cpus = availableParallelism()): number {
  if (candidate === 'wasm' || candidate === 'cpu') return cpus;
  if (candidate === 'tensorflow' && cpus <= 2) return cpus;
  return 1;
}

/** Parses `--jobs`: an integer from 1 to 64. */
export function parseJobs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new DemoJobsError(`demo: --jobs expects an integer from 1 to 64; received '${value}'`);
  return n;
}

/**
 * The order the pool hands pipelines out: the costliest for `preset` first (`seconds`, else 0), so
 * that the long ones do not start last and leave the other cores idle (longest-processing-time
 * scheduling).
 */
export function scheduleOrder<P extends Pick<Pipeline, 'name' | 'seconds'>>(
  pipelines: readonly P[],
  preset: Preset,
): P[] {
  const cost = (p: P) => p.seconds?.[preset] ?? 0;
  return [...pipelines].sort((a, b) => cost(b) - cost(a));
}

export interface PoolOptions {
  jobs: number;
  preset: Preset;
  /** The parent's backend, forced in every child. */
  backend: BackendCandidate;
  kittiDir?: string;
  /** Where the children's output lines go, each prefixed with its pipeline's name. */
  write?: (line: string) => void;
}

/**
 * Runs `pipelines` in `min(jobs, pipelines.length)` children and returns their reports in the order
 * given. A pipeline that throws, or a child that dies, stops the others and rejects with the cause.
 */
export async function runInJobs(
  pipelines: readonly Pipeline[],
  opts: PoolOptions,
): Promise<PipelineReport[]> {
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  // each line starts with the time since the run began (mm:ss), so a log shows how long stages took
  const t0 = Date.now();
  const clock = () => {
    const s = Math.floor((Date.now() - t0) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const queue = scheduleOrder(pipelines, opts.preset);
  const reports = new Map<string, PipelineReport>();
  const width = Math.max(...pipelines.map((p) => p.name.length));
  const children: ReturnType<typeof fork>[] = [];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill();
  };
  // job.ts runs through tsx's loader, as main.ts does (also when the caller is not run by tsx: tests).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const child = fork(join(import.meta.dirname, 'job.ts'), [], {
        execArgv: ['--import', tsx],
        env: { ...process.env, PAPERSTACK_BACKEND: opts.backend },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      children.push(child);
      let current: string | undefined;
      let label = 'job';
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        stopAll();
        reject(err);
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue;
        createInterface({ input: stream }).on('line', (line) => {
          if (line.startsWith(PIPELINE_MARK)) label = line.slice(PIPELINE_MARK.length);
          else write(`${clock()} ${label.padEnd(width)} │ ${line}`);
        });
      }
      let started = 0;
      const next = () => {
        const p = queue.shift();
        current = p?.name;
        started = Date.now();
        const request: JobRequest = p
          ? { kind: 'run', name: p.name, preset: opts.preset, kittiDir: opts.kittiDir }
          : { kind: 'exit' };
        child.send(request);
      };
      child.on('message', (m: JobReply) => {
        if (m.kind === 'error') return fail(new Error(`demo: pipeline ${m.name} failed: ${m.message}`));
        if (m.kind === 'report') {
          reports.set(m.name, m.report);
          write(
            `${clock()} ${m.name.padEnd(width)} │ finished in ${Math.round((Date.now() - started) / 1000)} s`,
          );
        }
        next();
      });
      child.on('exit', (code, signal) => {
        if (current === undefined && code === 0) return resolve();
        fail(
          new Error(
            `demo: the job running ${current ?? 'nothing'} exited with ${signal ?? `code ${code}`} before finishing`,
          ),
        );
      });
      child.on('error', fail);
    });
  const n = Math.min(opts.jobs, pipelines.length);
  await Promise.all(Array.from({ length: n }, one));
  return pipelines.map((p) => reports.get(p.name) as PipelineReport);
}
