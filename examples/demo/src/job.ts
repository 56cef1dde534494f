// A demo job (forked by jobs.ts): sets up the backend the parent chose (PAPERSTACK_BACKEND), then
// runs the pipelines the parent hands it, one at a time, and sends each report back.
import { useBestBackend } from '@paperstack/runtime';
import { type JobReply, type JobRequest, PIPELINE_MARK } from './jobs';
import { PIPELINES } from './pipelines/index';
import { progress } from './progress';

const send = (m: JobReply) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));

await useBestBackend({ log: false });
process.on('message', async (m: JobRequest) => {
  if (m.kind === 'exit') {
    process.disconnect();
    return;
  }
  const pipeline = PIPELINES.find((p) => p.name === m.name);
  process.stdout.write(`${PIPELINE_MARK}${m.name}\n`);
  try {
    if (!pipeline) throw new Error(`no pipeline named ${m.name}`);
    const report = await pipeline.run({
      preset: m.preset,
      stage: (t, n) => progress(t, n),
      kittiDir: m.kittiDir,
    });
    await send({ kind: 'report', name: m.name, report });
  } catch (err) {
    await send({
      kind: 'error',
      name: m.name,
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }
});
await send({ kind: 'ready' });
