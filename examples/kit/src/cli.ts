/**
 * The command-line arguments after the script, without the `--` that `pnpm start -- <flags>`
 * passes through (node:util `parseArgs` would take it as the end of the options).
 */
export function cliArgs(argv: string[] = process.argv.slice(2)): string[] {
  return argv[0] === '--' ? argv.slice(1) : argv;
}

/**
 * The JSON reports of several `--seed-list` processes for a `--merge` run: checks that there are
 * some and that `--json OUT` is given, and sums their stage times.
 */
export function mergeParts<T extends { timing: Record<string, number> }>(
  parts: T[],
  jsonOut: string | undefined,
): { parts: T[]; timing: Record<string, number> } {
  if (!parts.length || !jsonOut) throw new Error('--merge expects --json OUT and the JSON files to merge');
  const timing: Record<string, number> = {};
  for (const r of parts) for (const [k, v] of Object.entries(r.timing)) timing[k] = (timing[k] ?? 0) + v;
  return { parts, timing };
}

/** Prints a merged report's tables as Markdown, its notes, and the stage times summed over processes. */
export function printMergedReport(
  report: { tables: { title: string; columns: string[]; rows: (string | number)[][] }[]; notes?: string[] },
  timing: Record<string, number>,
): void {
  for (const t of report.tables) {
    console.log(`\n${t.title}\n| ${t.columns.join(' | ')} |\n|${t.columns.map(() => '---').join('|')}|`);
    for (const r of t.rows) console.log(`| ${r.join(' | ')} |`);
  }
  console.log(
    `\n${(report.notes ?? []).join('\n')}\ntiming (ms, summed over the processes): ${JSON.stringify(timing)}`,
  );
}
