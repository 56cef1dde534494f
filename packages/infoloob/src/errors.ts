/** An argument of an infoloob function has the wrong shape, value or normalization. */
export class InfoLoobArgumentError extends Error {
  override name = 'InfoLoobArgumentError';
}
