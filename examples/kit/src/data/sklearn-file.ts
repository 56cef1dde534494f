import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { type DataOptions, type ResolvedDataOptions, sha256, writeAtomic } from './cache';
import { ChecksumError, DataUnavailableError } from './errors';

/** Options of the loaders of data files shipped in scikit-learn ({@link loadDigits}, {@link loadBreastCancer}). */
export interface SklearnDataOptions extends DataOptions {
  /** Python interpreters whose installed scikit-learn is looked for. Default `['python3', '/usr/bin/python3']`. */
  pythons?: string[];
}

/** Where a data file that ships inside scikit-learn is looked for (see {@link sklearnDataFile}). */
export interface SklearnFileSpec {
  /** The data set's name in errors and log lines, e.g. `'sklearn digits'`. */
  dataset: string;
  /** The file's path inside the installed package or wheel, e.g. `'sklearn/datasets/data/digits.csv.gz'`. */
  fileInPackage: string;
  /** Where the verified (decoded) bytes are cached. */
  cacheFile: string;
  /** Pinned sha256 of the decoded bytes. */
  sha256: string;
  /** Turns the packaged bytes into the pinned ones (e.g. gunzip); throws when they are not decodable. Default: identity. */
  decode?: (packaged: Uint8Array) => Uint8Array;
  /** Python interpreters whose installed scikit-learn is looked for. */
  pythons: string[];
}

/**
 * The bytes of a data file shipped in scikit-learn, from the first route that verifies: the cache
 * (`spec.cacheFile`), the file of a scikit-learn installed for one of `spec.pythons`, or the
 * scikit-learn wheel that `python -m pip download scikit-learn --no-deps` brings (unzipped with
 * fflate; skipped when `o.offline`). Verified bytes are cached.
 * @throws DataUnavailableError naming every route tried when none gives the file.
 * @throws ChecksumError when the cached file is not the pinned one.
 */
export function sklearnDataFile(spec: SklearnFileSpec, o: ResolvedDataOptions): Uint8Array {
  const { dataset, fileInPackage, cacheFile, pythons } = spec;
  const decode = spec.decode ?? ((b: Uint8Array) => b);
  if (existsSync(cacheFile)) {
    const bytes = readFileSync(cacheFile);
    const received = sha256(bytes);
    if (received !== spec.sha256) throw new ChecksumError(cacheFile, spec.sha256, received);
    return bytes;
  }
  const routes: string[] = [`not in the cache ${cacheFile}`];
  const accept = (packaged: Uint8Array, from: string): Uint8Array | undefined => {
    let bytes: Uint8Array;
    try {
      bytes = decode(packaged);
    } catch (err) {
      routes.push(`${from}: not decodable (${(err as Error).message})`);
      return undefined;
    }
    const received = sha256(bytes);
    if (received !== spec.sha256) {
      routes.push(`${from}: sha256 ${received}, expected ${spec.sha256}`);
      return undefined;
    }
    return bytes;
  };
  let found: Uint8Array | undefined;
  for (const python of pythons) {
    if (found) break;
    try {
      const dir = execFileSync(
        python,
        [
          '-c',
          "import importlib.util as u; s = u.find_spec('sklearn'); print(s.submodule_search_locations[0])",
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
      ).trim();
      const file = join(dir, '..', fileInPackage);
      if (existsSync(file)) found = accept(readFileSync(file), file);
      else routes.push(`${python}: scikit-learn without ${fileInPackage}`);
    } catch {
      routes.push(`${python}: no scikit-learn installed (or no such interpreter)`);
    }
  }
  if (!found && o.offline) routes.push('pip download skipped (offline)');
  for (const python of o.offline ? [] : pythons) {
    if (found) break;
    mkdirSync(o.cacheDir, { recursive: true });
    const tmp = mkdtempSync(join(o.cacheDir, 'pip-'));
    try {
      o.log(`${dataset}: ${python} -m pip download scikit-learn --no-deps`);
      execFileSync(
        python,
        [
          '-m',
          'pip',
          'download',
          'scikit-learn',
          '--no-deps',
          '--only-binary',
          ':all:',
          '--retries',
          '1',
          '--timeout',
          '30',
          '-d',
          tmp,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
      );
      const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
      if (!wheel) routes.push(`${python} -m pip download: no wheel`);
      else {
        const files = unzipSync(readFileSync(join(tmp, wheel)), { filter: (f) => f.name === fileInPackage });
        const packaged = files[fileInPackage];
        if (packaged) found = accept(packaged, wheel);
        else routes.push(`${wheel}: no ${fileInPackage}`);
      }
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1);
      routes.push(`${python} -m pip download scikit-learn failed${stderr ? `: ${stderr}` : ''}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (!found) throw new DataUnavailableError(dataset, routes);
  writeAtomic(cacheFile, found);
  return found;
}
