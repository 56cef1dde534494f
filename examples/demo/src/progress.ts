import cliProgress from 'cli-progress';

/** Progress of one stage: a bar on a TTY (cli-progress), plain lines otherwise (CI, pipes). */
export interface Progress {
  tick(step: number, info?: Record<string, string | number>): void;
  done(summary?: string): void;
}

export function progress(
  title: string,
  total: number,
  stream: NodeJS.WriteStream = process.stdout,
): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {value}/{total} {info}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      tick: (step, info) => bar.update(step, { info: formatInfo(info) }),
      done: (summary) => {
        bar.stop();
        if (summary) stream.write(`${title}: ${summary}\n`);
      },
    };
  }
  // Plain lines: about ten per stage, so logs stay readable.
  const every = Math.max(1, Math.round(total / 10));
  return {
    tick: (step, info) => {
      if (step % every === 0 || step === total)
        stream.write(`${title} ${step}/${total} ${formatInfo(info)}\n`);
    },
    done: (summary) => stream.write(`${title}: done${summary ? ` — ${summary}` : ''}\n`),
  };
}

function formatInfo(info?: Record<string, string | number>): string {
  if (!info) return '';
  return Object.entries(info)
    .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`)
    .join(' ');
}
