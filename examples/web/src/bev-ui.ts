// The bird's-eye-view panel: a synthetic scene from @paperstack/voxelnet's generator, or a KITTI
// velodyne scan (.bin) with its label_2 (.txt) and calib (.txt) files, read in the browser.
import { CAR_PRESET, generateScene, kitti, SMALL_PRESET, Voxelizer } from '@paperstack/voxelnet';
import { type BevBox, type BevLayers, type BevView, drawBev, fitView, pixelToWorld } from './bev';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};

const CLASS_COLORS: Record<string, string> = {
  Car: '#4cff7a',
  Van: '#9cff4c',
  Truck: '#d8ff4c',
  Pedestrian: '#ff5ce1',
  Person_sitting: '#ff9ce8',
  Cyclist: '#4cf3ff',
  Tram: '#ffd24c',
  Misc: '#ffb04c',
};

interface LoadedScene {
  name: string;
  points: Float32Array;
  boxes: BevBox[];
  range: readonly number[];
  voxelSize: readonly number[];
  note: string;
}

/** LiDAR boxes of KITTI objects (DontCare dropped), coloured by class. */
function labelBoxes(
  objects: kitti.KittiObject[],
  calib: kitti.KittiCalib,
  hidden?: (i: number) => boolean,
): BevBox[] {
  const kept = objects.filter((o) => o.type !== 'DontCare');
  const boxes = kitti.objectsToLidarBoxes(kept, calib);
  return kept.map((o, i) => ({
    box: boxes.subarray(i * 7, i * 7 + 7),
    label: o.score !== undefined ? `${o.type} ${o.score.toFixed(2)}` : o.type,
    color: hidden?.(i) ? '#8a8f98' : (CLASS_COLORS[o.type] ?? '#ffffff'),
  }));
}

export function setupBev(): void {
  const canvas = $<HTMLCanvasElement>('bev');
  const info = $<HTMLParagraphElement>('bev-info');
  const seed = $<HTMLInputElement>('scene-seed');
  const colorBy = $<HTMLSelectElement>('color-by');
  const showVoxels = $<HTMLInputElement>('show-voxels');
  const veloInput = $<HTMLInputElement>('velodyne-file');
  const labelInput = $<HTMLInputElement>('label-file');
  const calibInput = $<HTMLInputElement>('calib-file');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;

  let scene: LoadedScene | null = null;
  let view: BevView = { cx: 12.8, cy: 0, scale: 20 };
  let voxelCache: { key: string; value: BevLayers['voxels'] } | null = null;

  const voxels = (): BevLayers['voxels'] => {
    if (!scene || !showVoxels.checked) return null;
    const key = `${scene.name}`;
    if (voxelCache?.key === key) return voxelCache.value;
    const vox = new Voxelizer({ pointCloudRange: scene.range, voxelSize: scene.voxelSize });
    const v = vox.voxelize(scene.points, { shuffle: false });
    const seen = new Set<number>();
    const cells: number[] = [];
    for (let i = 0; i < v.numVoxels; i++) {
      const y = v.coords[i * 3 + 1];
      const x = v.coords[i * 3 + 2];
      const k = y * 100000 + x;
      if (seen.has(k)) continue;
      seen.add(k);
      cells.push(x, y);
    }
    const value = {
      cells: Int32Array.from(cells),
      origin: [scene.range[0], scene.range[1]] as [number, number],
      size: [scene.voxelSize[0], scene.voxelSize[1]] as [number, number],
      numVoxels: v.numVoxels,
    };
    voxelCache = { key, value };
    return value;
  };

  const render = () => {
    if (!scene) return;
    const vox = voxels();
    const t0 = performance.now();
    const drawn = drawBev(ctx, view, {
      points: scene.points,
      boxes: scene.boxes,
      colorBy: colorBy.value as BevLayers['colorBy'],
      voxels: vox,
    });
    const ms = performance.now() - t0;
    const n = scene.points.length / 4;
    info.dataset.points = String(n);
    info.dataset.boxes = String(scene.boxes.length);
    info.dataset.drawn = String(drawn);
    info.dataset.source = scene.name;
    info.textContent =
      `${scene.name}: ${n.toLocaleString('en')} points (${drawn.toLocaleString('en')} on screen), ` +
      `${scene.boxes.length} box${scene.boxes.length === 1 ? '' : 'es'}` +
      (vox
        ? `, ${(vox.cells.length / 2).toLocaleString('en')} occupied BEV cells of the ${scene.voxelSize.join('×')} m voxel grid`
        : '') +
      `. ${scene.note} Drawn in ${ms.toFixed(0)} ms. Wheel: zoom, drag: pan, double-click: fit.`;
  };

  const fit = () => {
    if (!scene) return;
    const r = scene.range;
    view = fitView(Math.min(r[0], -2), r[3], r[1], r[4], canvas.width, canvas.height);
    render();
  };

  const loadSynthetic = () => {
    loads++;
    const s = Number(seed.value) | 0;
    const t0 = performance.now();
    const sc = generateScene({ seed: s });
    const ms = performance.now() - t0;
    scene = {
      name: `synthetic scene (seed ${s})`,
      points: sc.points,
      boxes: labelBoxes(sc.labels, sc.calib, (i) => sc.carPoints[i] < 5),
      range: SMALL_PRESET.pointCloudRange,
      voxelSize: SMALL_PRESET.voxelSize,
      note: `Generated in ${ms.toFixed(0)} ms by generateScene (64-beam ray cast); grey boxes: cars with < 5 points.`,
    };
    voxelCache = null;
    fit();
  };

  const readText = (f: File | undefined) => (f ? f.text() : Promise.resolve(null));

  let loads = 0; // the latest load wins when file reads overlap
  const loadFiles = async () => {
    const load = ++loads;
    const velo = veloInput.files?.[0];
    if (!velo) {
      info.textContent = 'Choose a velodyne .bin file (label_2 and calib .txt files are optional).';
      return;
    }
    try {
      const points = kitti.parseVelodyne(await velo.arrayBuffer(), velo.name);
      const labelText = await readText(labelInput.files?.[0]);
      const calibText = await readText(calibInput.files?.[0]);
      const calib =
        calibText !== null ? kitti.parseCalib(calibText, calibInput.files![0].name) : kitti.defaultCalib();
      const objects = labelText !== null ? kitti.parseLabels(labelText, labelInput.files![0].name) : [];
      if (load !== loads) return;
      scene = {
        name: velo.name,
        points,
        boxes: labelBoxes(objects, calib),
        range: CAR_PRESET.pointCloudRange,
        voxelSize: CAR_PRESET.voxelSize,
        note:
          (labelText !== null && calibText === null
            ? 'No calib file: labels placed with a typical KITTI calibration (defaultCalib), expect offsets of a few cm. '
            : '') + 'Voxel grid: the paper’s car configuration.',
      };
      voxelCache = null;
      fit();
    } catch (err) {
      info.dataset.source = 'error';
      info.textContent = `Could not read the files: ${err instanceof Error ? err.message : String(err)}`;
    }
  };

  // zoom about the cursor, drag to pan
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      const px = ((e.clientX - r.left) / r.width) * canvas.width;
      const py = ((e.clientY - r.top) / r.height) * canvas.height;
      const [wx, wy] = pixelToWorld(view, canvas.width, canvas.height, px, py);
      const f = Math.exp(-e.deltaY * 0.0015);
      const scale = Math.max(1, Math.min(200, view.scale * f));
      // keep (wx, wy) under the cursor
      view = {
        scale,
        cx: wx - (canvas.height / 2 - py) / scale,
        cy: wy - (canvas.width / 2 - px) / scale,
      };
      render();
    },
    { passive: false },
  );
  let drag: { x: number; y: number; cx: number; cy: number } | null = null;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, cx: view.cx, cy: view.cy };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const r = canvas.getBoundingClientRect();
    const k = canvas.width / r.width / view.scale;
    view = { ...view, cx: drag.cx + (e.clientY - drag.y) * k, cy: drag.cy + (e.clientX - drag.x) * k };
    render();
  });
  canvas.addEventListener('pointerup', () => {
    drag = null;
  });
  canvas.addEventListener('dblclick', fit);

  $('new-scene').addEventListener('click', () => {
    seed.value = String((Number(seed.value) | 0) + 1);
    loadSynthetic();
  });
  seed.addEventListener('change', loadSynthetic);
  $('load-files').addEventListener('click', () => void loadFiles());
  veloInput.addEventListener('change', () => void loadFiles());
  colorBy.addEventListener('change', render);
  showVoxels.addEventListener('change', render);

  loadSynthetic();
}
