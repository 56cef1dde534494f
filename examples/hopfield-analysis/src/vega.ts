/** A Vega-Lite v5 spec (plain JSON; examples/demo renders them). */
export type VegaLiteSpec = Record<string, unknown> & { $schema: string };

export function vega(spec: Record<string, unknown>): VegaLiteSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec };
}
