// Renders the Vega-Lite specs of saved results to SVG for the README, into figures/:
// `tsx src/render.ts results/regimes-quick.json …`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';

for (const file of process.argv.slice(2)) {
  const result = JSON.parse(readFileSync(file, 'utf8')) as { specs: Record<string, vl.TopLevelSpec> };
  for (const [name, spec] of Object.entries(result.specs)) {
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
    // Static figures: drop vega's ARIA roles (Biome's a11y lint rejects them on plain <g>/<path>)
    // and give the SVG a <title>.
    const title = String((spec as { title?: unknown }).title ?? name);
    const svg = (await view.toSVG())
      .replace(/ (role|aria-roledescription|aria-label|aria-hidden)="[^"]*"/g, '')
      .replace(/^<svg([^>]*)>/, `<svg$1><title>${title.replace(/[<&]/g, '')}</title>`);
    const dir = join(dirname(dirname(file)), 'figures');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `${basename(file, '.json')}-${name}.svg`);
    writeFileSync(out, svg);
    console.log(`wrote ${out}`);
  }
}
