import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from '@paperstack/example-kit';

/** Options of {@link meanBarsWithDots}. */
export interface MeanBarsOptions {
  /** The measured field of each value. */
  field: string;
  /** The x-axis title. */
  title: string;
  height: number;
  /** A fixed x-axis domain (default: from the data). */
  domain?: [number, number];
}

/**
 * A Vega-Lite spec with one horizontal bar per `method` at the mean of `field` over its values and
 * a dot per value (replicate or seed), data inlined.
 */
export function meanBarsWithDots(values: Record<string, unknown>[], opts: MeanBarsOptions): VegaLiteSpec {
  const { field, title, height, domain } = opts;
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: 420,
    height,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'method', type: 'nominal', sort: null, title: null },
          x: {
            aggregate: 'mean',
            field,
            type: 'quantitative',
            ...(domain ? { scale: { domain } } : {}),
            title,
          },
        },
      },
      {
        mark: { type: 'point', color: 'black', filled: true, size: 20 },
        encoding: {
          y: { field: 'method', type: 'nominal', sort: null },
          x: { field, type: 'quantitative' },
        },
      },
    ],
  };
}
