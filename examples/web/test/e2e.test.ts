// End to end: builds the playground with Vite, serves it with `vite preview` on 127.0.0.1, opens it in
// Debian's headless Chromium (driven by playwright-core, no downloaded browser), runs a Hopfield
// retrieval on each backend, loads KITTI-format files into the bird's-eye view, and checks screenshots.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateScene, kitti } from '@paperstack/voxelnet';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
/** Real KITTI frames (non-commercial licence: read in place, never copied into the repo). */
const KITTI = join(root, '..', '..', '..', 'shared', 'data', 'kitti', 'training');
const KITTI_FRAME = '000006';
const HAVE_KITTI = existsSync(join(KITTI, 'velodyne', `${KITTI_FRAME}.bin`));

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Luminance statistics of a PNG: standard deviation and the share of pixels unlike the most common one. */
function pixelStats(png: Buffer): {
  std: number;
  busy: number;
  colors: number;
  width: number;
  height: number;
} {
  const img = PNG.sync.read(png);
  const n = img.width * img.height;
  const counts = new Map<number, number>();
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    const r = img.data[i * 4];
    const g = img.data[i * 4 + 1];
    const b = img.data[i * 4 + 2];
    const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += y;
    sum2 += y * y;
  }
  const mean = sum / n;
  const top = Math.max(...counts.values());
  return {
    std: Math.sqrt(sum2 / n - mean * mean),
    busy: 1 - top / n,
    colors: counts.size,
    width: img.width,
    height: img.height,
  };
}

interface RetrievalResult {
  status: string;
  target: string;
  match: string;
  exact: string;
  weight: number;
  libraryDiff: number;
  energies: number[];
  backend: string;
  backendText: string;
}

async function openApp(page: Page, url: string): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(
    () =>
      document.body.dataset.ready === 'true' ||
      document.getElementById('backend')?.dataset.backend === 'none',
    null,
    {
      timeout: 30_000,
    },
  );
  const backend = await page.getAttribute('#backend', 'data-backend');
  if (backend === 'none') throw new Error(`no backend: ${await page.textContent('#backend')}`);
  expect(errors).toEqual([]);
}

async function runRetrieval(page: Page): Promise<RetrievalResult> {
  await page.locator('#delay').fill('0');
  await page.click('#retrieve');
  await page.waitForFunction(
    () => {
      const s = document.getElementById('hopfield-result')?.dataset.status;
      return s === 'done' || s === 'error';
    },
    null,
    { timeout: 30_000 },
  );
  return page.evaluate(() => {
    const r = document.getElementById('hopfield-result')!;
    const b = document.getElementById('backend')!;
    return {
      status: r.dataset.status ?? '',
      target: r.dataset.target ?? '',
      match: r.dataset.match ?? '',
      exact: r.dataset.exact ?? '',
      weight: Number(r.dataset.weight),
      libraryDiff: Number(r.dataset.libraryDiff),
      energies: JSON.parse(r.dataset.energies ?? '[]') as number[],
      backend: b.dataset.backend ?? '',
      backendText: b.textContent ?? '',
      text: r.textContent,
    };
  });
}

function expectRetrieved(r: RetrievalResult): void {
  expect(r.status, JSON.stringify(r)).toBe('done');
  expect(r.match).toBe(r.target);
  expect(r.exact).toBe('true');
  expect(r.weight).toBeGreaterThan(0.95);
  expect(r.libraryDiff).toBeLessThan(1e-3);
  expect(r.energies.length).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < r.energies.length; i++) {
    expect(r.energies[i]).toBeLessThanOrEqual(
      r.energies[i - 1] + 1e-3 * Math.max(1, Math.abs(r.energies[i])),
    );
  }
  expect(r.energies[r.energies.length - 1]).toBeLessThan(r.energies[0]);
}

describe.skipIf(!HAVE_CHROMIUM)(
  HAVE_CHROMIUM
    ? `playground end to end in headless Chromium (${CHROMIUM})`
    : `playground end to end — SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  () => {
    let server: PreviewServer;
    let context: BrowserContext;
    let base: string;
    let outDir: string;
    let profile: string;
    /** Screenshots go to a temp folder; `UPDATE_SCREENSHOTS=1` also writes the full page to docs/ (for the README). */
    let SHOT_DIR: string;

    beforeAll(async () => {
      SHOT_DIR = mkdtempSync(join(tmpdir(), 'paperstack-web-shots-'));
      outDir = mkdtempSync(join(tmpdir(), 'paperstack-web-dist-'));
      profile = mkdtempSync(join(tmpdir(), 'paperstack-web-profile-'));
      const configFile = join(root, 'vite.config.ts');
      await build({ configFile, root, logLevel: 'error', build: { outDir, emptyOutDir: true } });
      const port = await freePort();
      server = await preview({
        configFile,
        root,
        logLevel: 'error',
        build: { outDir },
        preview: { host: '127.0.0.1', port, strictPort: true, open: false },
      });
      base = `http://127.0.0.1:${port}/`;
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: LAUNCH_ARGS,
        viewport: { width: 1280, height: 900 },
      });
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await server?.close();
      if (outDir) rmSync(outDir, { recursive: true, force: true });
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('retrieves a corrupted glyph on the automatically chosen backend; screenshot is not blank', async () => {
      const page = await context.newPage();
      await openApp(page, base);
      const r = await runRetrieval(page);
      console.log(`auto backend: ${r.backendText}`);
      expect(['webgl', 'wasm', 'cpu']).toContain(r.backend);
      expectRetrieved(r);

      const shot = await page.locator('#hopfield-panel').screenshot();
      writeFileSync(join(SHOT_DIR, 'hopfield.png'), shot);
      const s = pixelStats(shot);
      expect(s.width).toBeGreaterThan(400);
      expect(s.std).toBeGreaterThan(10);
      expect(s.busy).toBeGreaterThan(0.05);
      // the trace has one picture per step, each with ink and paper
      const trace = await page.locator('#trace canvas').count();
      expect(trace).toBe(r.energies.length);
      const ink = await page.evaluate(() => {
        const c = document.querySelector<HTMLCanvasElement>('#trace figure:last-child canvas')!;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 100) dark++;
        return dark / (d.length / 4);
      });
      expect(ink).toBeGreaterThan(0.1);
      expect(ink).toBeLessThan(0.9);
      await page.close();
    });

    for (const backend of ['wasm', 'cpu', 'webgl'] as const) {
      it(`retrieves on the ${backend} backend (?backend=${backend})`, async (ctx) => {
        const page = await context.newPage();
        if (backend === 'webgl') {
          const hasWebgl = await page.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
          if (!hasWebgl) {
            await page.close();
            ctx.skip(true, 'this Chromium gives no WebGL context');
          }
        }
        await openApp(page, `${base}?backend=${backend}`);
        const r = await runRetrieval(page);
        console.log(`forced: ${r.backendText}`);
        expect(r.backend).toBe(backend);
        expectRetrieved(r);
        await page.close();
      });
    }

    it('shows a synthetic scene and KITTI files in the bird’s-eye view', async () => {
      const page = await context.newPage();
      await openApp(page, base);
      const synth = await page.evaluate(() => ({ ...document.getElementById('bev-info')!.dataset }));
      expect(Number(synth.points)).toBeGreaterThan(1000);
      expect(Number(synth.boxes)).toBeGreaterThan(0);
      const shot = await page.locator('#bev').screenshot();
      writeFileSync(join(SHOT_DIR, 'bev-synthetic.png'), shot);
      const s = pixelStats(shot);
      expect(s.busy).toBeGreaterThan(0.05);
      expect(s.colors).toBeGreaterThan(50);
      // box outlines: the Car colour (#4cff7a) is on the canvas
      const green = await page.evaluate(() => {
        const c = document.getElementById('bev') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (Math.abs(d[i] - 76) < 20 && d[i + 1] > 230 && Math.abs(d[i + 2] - 122) < 20) n++;
        return n;
      });
      expect(green).toBeGreaterThan(50);

      // A scene in the KITTI file formats (velodyne .bin, label_2 .txt) through the file inputs.
      const scene = generateScene({ seed: 3 });
      const cars = scene.labels.filter((l) => l.occluded < 3).length + 1;
      const labels = [
        ...scene.labels,
        { ...scene.labels[0], type: 'Pedestrian', dimensions: [1.7, 0.6, 0.8] as [number, number, number] },
      ];
      // label_2 first: choosing the scan shows it at once, with the labels already chosen
      await page.setInputFiles('#label-file', {
        name: '000003.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(kitti.formatLabels(labels)),
      });
      await page.setInputFiles('#velodyne-file', {
        name: '000003.bin',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(kitti.encodeVelodyne(scene.points)),
      });
      await page.waitForFunction(() => document.getElementById('bev-info')?.dataset.source === '000003.bin');
      await page.click('#load-files'); // the explicit button shows the same
      await page.waitForFunction(() => document.getElementById('bev-info')?.dataset.source === '000003.bin');
      const files = await page.evaluate(() => ({ ...document.getElementById('bev-info')!.dataset }));
      expect(Number(files.points)).toBe(scene.points.length / 4);
      expect(Number(files.boxes)).toBe(labels.length);
      expect(Number(files.boxes)).toBeGreaterThanOrEqual(cars);
      const shot2 = await page.locator('#bev').screenshot();
      writeFileSync(join(SHOT_DIR, 'bev-files.png'), shot2);
      expect(pixelStats(shot2).busy).toBeGreaterThan(0.01);
      await page.close();
    });

    it.skipIf(!HAVE_KITTI)(
      HAVE_KITTI
        ? `shows a real KITTI frame (${KITTI_FRAME}) with its labels and calibration`
        : `real KITTI frame — SKIPPED: ${KITTI} not found`,
      async () => {
        const page = await context.newPage();
        await openApp(page, base);
        await page.setInputFiles('#calib-file', join(KITTI, 'calib', `${KITTI_FRAME}.txt`));
        await page.setInputFiles('#label-file', join(KITTI, 'label_2', `${KITTI_FRAME}.txt`));
        await page.setInputFiles('#velodyne-file', join(KITTI, 'velodyne', `${KITTI_FRAME}.bin`));
        await page.waitForFunction(
          (f) => document.getElementById('bev-info')?.dataset.source === `${f}.bin`,
          KITTI_FRAME,
        );
        const info = await page.evaluate(() => ({ ...document.getElementById('bev-info')!.dataset }));
        const objects = kitti.parseLabels(readFileSync(join(KITTI, 'label_2', `${KITTI_FRAME}.txt`), 'utf8'));
        expect(Number(info.points)).toBe(statSync(join(KITTI, 'velodyne', `${KITTI_FRAME}.bin`)).size / 16);
        expect(Number(info.boxes)).toBe(objects.filter((o) => o.type !== 'DontCare').length);
        const shot = await page.locator('#bev').screenshot();
        writeFileSync(join(SHOT_DIR, `kitti-${KITTI_FRAME}.png`), shot);
        expect(pixelStats(shot).busy).toBeGreaterThan(0.05);
        await page.close();
      },
    );

    it('writes the full-page screenshot', async () => {
      const page = await context.newPage();
      await openApp(page, base);
      await runRetrieval(page);
      const shot = await page.screenshot({ fullPage: true });
      writeFileSync(join(SHOT_DIR, 'playground.png'), shot);
      if (process.env.UPDATE_SCREENSHOTS) {
        mkdirSync(join(root, 'docs'), { recursive: true });
        writeFileSync(join(root, 'docs', 'playground.png'), shot);
      }
      console.log(`screenshots: ${SHOT_DIR}`);
      expect(pixelStats(shot).std).toBeGreaterThan(10);
      await page.close();
    });
  },
);
