/** A backend that was asked for (by option or `PAPERSTACK_BACKEND`) could not be set up. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}
