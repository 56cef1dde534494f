// The Hopfield panel: pick the stored glyphs, corrupt a query, run the update step by step and watch
// ξᵗ, the energy E(ξᵗ) and the association weights.
import { drawBarChart, drawBitmap, drawLineChart } from './draw';
import { DIGITS, LETTERS } from './font';
import { type Bitmap, corrupt, glyphBitmap, type MaskMode } from './patterns';
import { libraryRetrieve, type RetrievalStep, retrieveSteps, summarize } from './retrieval';

const SCALE = 4; // 5×7 font pixels → 20×28 images, dim 560
const ALL = [...DIGITS, ...LETTERS];
const PRESETS: Record<string, readonly string[]> = {
  digits: DIGITS,
  letters: LETTERS,
  all: ALL,
  lookalikes: ['0', 'O', 'Q', 'D', '8', 'B', '6', '9', 'S', '5'],
};

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function setupHopfield(): void {
  const glyphs = new Map(ALL.map((ch) => [ch, glyphBitmap(ch, SCALE)]));
  const stored = new Set<string>(DIGITS);
  const storeGrid = $<HTMLDivElement>('store-grid');
  const preset = $<HTMLSelectElement>('store-preset');
  const target = $<HTMLSelectElement>('target');
  const noise = $<HTMLInputElement>('noise');
  const mask = $<HTMLInputElement>('mask');
  const maskMode = $<HTMLSelectElement>('mask-mode');
  const seed = $<HTMLInputElement>('seed');
  const betaLog = $<HTMLInputElement>('beta');
  const steps = $<HTMLInputElement>('steps');
  const delay = $<HTMLInputElement>('delay');
  const queryCanvas = $<HTMLCanvasElement>('query');
  const trace = $<HTMLDivElement>('trace');
  const energyCanvas = $<HTMLCanvasElement>('energy');
  const assocCanvas = $<HTMLCanvasElement>('association');
  const result = $<HTMLParagraphElement>('hopfield-result');
  const retrieveButton = $<HTMLButtonElement>('retrieve');

  let query: Bitmap = glyphs.get('8')!;
  let running = false;
  const beta = () => 10 ** Number(betaLog.value);
  const storedList = () => ALL.filter((ch) => stored.has(ch));

  const showLabels = () => {
    $('noise-value').textContent = `${noise.value} %`;
    $('mask-value').textContent = `${mask.value} %`;
    $('beta-value').textContent = beta().toPrecision(3);
    $('steps-value').textContent = steps.value;
    $('delay-value').textContent = `${delay.value} ms`;
  };

  const renderStore = () => {
    storeGrid.replaceChildren();
    for (const ch of ALL) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = stored.has(ch) ? 'glyph stored' : 'glyph';
      b.title = `${stored.has(ch) ? 'stored — click to forget' : 'click to store'} '${ch}'`;
      b.dataset.glyph = ch;
      const c = document.createElement('canvas');
      const g = glyphs.get(ch)!;
      drawBitmap(c, g.data, g.width, g.height);
      b.append(c);
      b.addEventListener('click', () => {
        if (stored.has(ch) && stored.size === 1) return; // keep at least one
        if (stored.has(ch)) stored.delete(ch);
        else stored.add(ch);
        preset.value = 'custom';
        renderStore();
        renderTargets();
      });
      storeGrid.append(b);
    }
  };

  const renderTargets = () => {
    const keep = target.value;
    target.replaceChildren(
      ...storedList().map((ch) => {
        const o = document.createElement('option');
        o.value = ch;
        o.textContent = ch;
        return o;
      }),
    );
    target.value = stored.has(keep) ? keep : storedList().includes('8') ? '8' : storedList()[0];
    makeQuery();
  };

  const makeQuery = () => {
    query = corrupt(glyphs.get(target.value)!, {
      noise: Number(noise.value) / 100,
      mask: Number(mask.value) / 100,
      maskMode: maskMode.value as MaskMode,
      seed: Number(seed.value) | 0,
    });
    drawBitmap(queryCanvas, query.data, query.width, query.height);
    showLabels();
  };

  // Draw on the query: the stroke paints the opposite of the pixel where it started.
  let paint: number | null = null;
  const pixelAt = (e: PointerEvent) => {
    const r = queryCanvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - r.left) / r.width) * query.width);
    const y = Math.floor(((e.clientY - r.top) / r.height) * query.height);
    return x >= 0 && y >= 0 && x < query.width && y < query.height ? y * query.width + x : -1;
  };
  queryCanvas.addEventListener('pointerdown', (e) => {
    const i = pixelAt(e);
    if (i < 0) return;
    paint = query.data[i] > 0 ? -1 : 1;
    queryCanvas.setPointerCapture(e.pointerId);
    query.data[i] = paint;
    drawBitmap(queryCanvas, query.data, query.width, query.height);
  });
  queryCanvas.addEventListener('pointermove', (e) => {
    if (paint === null) return;
    const i = pixelAt(e);
    if (i < 0) return;
    query.data[i] = paint;
    drawBitmap(queryCanvas, query.data, query.width, query.height);
  });
  queryCanvas.addEventListener('pointerup', () => {
    paint = null;
  });

  const retrieve = async () => {
    if (running) return;
    running = true;
    retrieveButton.disabled = true;
    result.dataset.status = 'running';
    result.textContent = 'retrieving…';
    trace.replaceChildren();
    const names = storedList();
    const patterns = names.map((ch) => glyphs.get(ch)!.data);
    const b = beta();
    const history: RetrievalStep[] = [];
    const t0 = performance.now();
    try {
      for await (const step of retrieveSteps(patterns, query.data, {
        beta: b,
        maxSteps: Number(steps.value),
      })) {
        history.push(step);
        const fig = document.createElement('figure');
        const c = document.createElement('canvas');
        drawBitmap(c, step.state, query.width, query.height);
        const cap = document.createElement('figcaption');
        cap.textContent = `t=${step.t}  E=${step.energy.toFixed(2)}`;
        fig.append(c, cap);
        trace.append(fig);
        drawLineChart(
          energyCanvas,
          history.map((s) => s.energy),
          'energy E(ξᵗ)',
        );
        drawBarChart(
          assocCanvas,
          step.association,
          names,
          `association softmax(β X ξ${step.t === 0 ? '⁰' : 'ᵗ'})`,
        );
        const ms = Number(delay.value);
        if (ms > 0) await sleep(ms);
      }
      const ms = performance.now() - t0;
      const last = history[history.length - 1];
      // cross-check: the library's own iteration (hopfieldRetrieve with updateStepsMax) ends at the same state
      const lib = await libraryRetrieve(patterns, query.data, { beta: b, maxSteps: Number(steps.value) });
      let libraryDiff = 0;
      for (let i = 0; i < lib.state.length; i++)
        libraryDiff = Math.max(libraryDiff, Math.abs(lib.state[i] - last.state[i]));
      const s = summarize(patterns, last);
      const energies = history.map((h) => h.energy);
      const decreasing = energies.every(
        (e, i) => i === 0 || e <= energies[i - 1] + 1e-3 * Math.max(1, Math.abs(e)),
      );
      result.dataset.status = 'done';
      result.dataset.target = target.value;
      result.dataset.match = names[s.match];
      result.dataset.exact = String(s.exact);
      result.dataset.wrongPixels = String(s.wrongPixels);
      result.dataset.maxError = String(s.maxError);
      result.dataset.weight = String(s.weight);
      result.dataset.steps = String(last.t);
      result.dataset.energies = JSON.stringify(energies);
      result.dataset.energyDecreasing = String(decreasing);
      result.dataset.libraryDiff = String(libraryDiff);
      result.textContent =
        `After ${last.t} update${last.t === 1 ? '' : 's'} (β = ${b.toPrecision(3)}, ${names.length} stored): ` +
        `retrieved '${names[s.match]}' (weight ${s.weight.toFixed(3)}), ` +
        (s.exact
          ? 'sign(ξ) equals the stored pattern in every pixel'
          : `sign(ξ) differs from it in ${s.wrongPixels} pixel${s.wrongPixels === 1 ? '' : 's'} (a metastable mixture — raise β)`) +
        `; max |ξ − x| = ${s.maxError.toExponential(2)}; energy ${energies[0].toFixed(2)} → ${last.energy.toFixed(2)}` +
        `${decreasing ? ' (never increased)' : ' (INCREASED — unexpected)'}; ` +
        `${target.value === names[s.match] ? 'the query’s original' : `the query was '${target.value}'`}. ` +
        `${ms.toFixed(0)} ms incl. animation. ` +
        `hopfieldRetrieve iterating inside the library (${lib.updateSteps + 1} updates) ends within ${libraryDiff.toExponential(1)} of this.`;
    } catch (err) {
      result.dataset.status = 'error';
      result.textContent = `error: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      running = false;
      retrieveButton.disabled = false;
    }
  };

  preset.addEventListener('change', () => {
    const list = PRESETS[preset.value];
    if (!list) return;
    stored.clear();
    for (const ch of list) stored.add(ch);
    renderStore();
    renderTargets();
  });
  target.addEventListener('change', makeQuery);
  for (const el of [noise, mask, maskMode, seed]) el.addEventListener('input', makeQuery);
  for (const el of [betaLog, steps, delay]) el.addEventListener('input', showLabels);
  $('new-seed').addEventListener('click', () => {
    seed.value = String((Number(seed.value) | 0) + 1);
    makeQuery();
  });
  retrieveButton.addEventListener('click', () => void retrieve());

  renderStore();
  renderTargets();
}
