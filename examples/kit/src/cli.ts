/**
 * The command-line arguments after the script, without the `--` that `pnpm start -- <flags>`
 * passes through (node:util `parseArgs` would take it as the end of the options).
 */
export function cliArgs(argv: string[] = process.argv.slice(2)): string[] {
  return argv[0] === '--' ? argv.slice(1) : argv;
}
