// Prints vitest's real counts from its JSON reporter as the plain line CI reads.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`print-counts: no vitest JSON results at ${file}`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A test file that fails to load counts as a failure too.
const failedSuites = (r.testResults ?? []).filter(
  (s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0,
).length;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped`);
