// Tables and Vega-Lite figures (data inlined) shared by the detection examples: KITTI AP tables,
// loss curves and bird's-eye views of a cloud with its boxes. Plain data only — the demo renders
// the specs with vega-lite; nothing here needs a DOM.
import { type Figure, round, type Table, VEGA_LITE_SCHEMA } from '@paperstack/example-kit';
import { type kitti, rectangleCorners } from '@paperstack/voxelnet';

const METRIC_LABEL: Record<kitti.KittiMetric, string> = { bbox: '2D', bev: 'BEV', '3d': '3D' };

/** Columns of {@link apTable}: model, metric, then AP|R11 and AP|R40 per KITTI difficulty. */
export const AP_COLUMNS = [
  'model',
  'metric',
  'AP|R11 easy',
  'AP|R11 moderate',
  'AP|R11 hard',
  'AP|R40 easy',
  'AP|R40 moderate',
  'AP|R40 hard',
];

/**
 * A table of car AP (percent, as the KITTI devkit prints it) for several models evaluated on the
 * same frames: one row per model and metric (2D, BEV, 3D).
 */
export function apTable(
  title: string,
  entries: readonly { model: string; evaluation: kitti.KittiEvaluation }[],
  metrics: readonly kitti.KittiMetric[] = ['bbox', 'bev', '3d'],
): Table {
  const rows: (string | number)[][] = [];
  for (const { model, evaluation } of entries) {
    for (const m of metrics) {
      const r = evaluation.Car?.[m];
      if (!r) continue;
      rows.push([
        model,
        METRIC_LABEL[m],
        ...r.ap11.map((x) => round(x, 3)),
        ...r.ap40.map((x) => round(x, 3)),
      ]);
    }
  }
  return { title, columns: AP_COLUMNS, rows };
}

/** Car AP|R11 / AP|R40 of one metric and difficulty (0 easy, 1 moderate, 2 hard), NaN when absent. */
export function carAp(
  evaluation: kitti.KittiEvaluation,
  metric: kitti.KittiMetric,
  difficulty = 1,
): { ap11: number; ap40: number } {
  const r = evaluation.Car?.[metric];
  return { ap11: r?.ap11[difficulty] ?? Number.NaN, ap40: r?.ap40[difficulty] ?? Number.NaN };
}

/** KITTI `minOverlap` for car at IoU 0.5 on every metric (the looser threshold the papers also report). */
export const CAR_IOU_05: kitti.EvaluateOptions = { minOverlap: { car: { bbox: 0.5, bev: 0.5, '3d': 0.5 } } };

/** Running mean over `window` values (the first values average what is there). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/**
 * Training-loss curves: each series smoothed by a running mean over `window` steps and thinned to
 * at most `maxPoints` points per series.
 */
export function lossFigure(
  title: string,
  series: readonly { name: string; losses: readonly number[] }[],
  options: { window?: number; maxPoints?: number; caption?: string } = {},
): Figure {
  const longest = Math.max(1, ...series.map((s) => s.losses.length));
  const window = options.window ?? Math.max(1, Math.round(longest / 40));
  const every = Math.max(1, Math.ceil(longest / (options.maxPoints ?? 200)));
  const values = series.flatMap((s) =>
    movingAverage(s.losses, window)
      .map((loss, i) => ({ series: s.name, step: i + 1, loss: round(loss, 4) }))
      .filter((p) => (p.step - 1) % every === 0 || p.step === s.losses.length),
  );
  return {
    title,
    caption: options.caption ?? `Loss per step, running mean over ${window} step${window === 1 ? '' : 's'}.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: 420,
      height: 220,
      data: { values },
      mark: { type: 'line' },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'loss', type: 'quantitative', title: 'loss' },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  };
}

/** One set of LiDAR boxes (flat N×7: x, y, z, dx, dy, dz, heading) drawn in a bird's-eye view. */
export interface BevBoxes {
  /** Legend entry (e.g. 'ground truth', 'detection'). */
  kind: string;
  boxes: ArrayLike<number>;
  /** One score per box (shown in the tooltip), optional. */
  scores?: ArrayLike<number>;
}

/**
 * Bird's-eye view of a LiDAR cloud (flat N×4) with boxes, cropped to `range` [xmin, ymin, zmin,
 * xmax, ymax, zmax]: forward (x) up, left (+y) to the left. At most `maxPoints` points are drawn
 * (an even stride through the cloud), so the inlined data stays small.
 */
export function bevFigure(
  title: string,
  points: Float32Array,
  range: readonly number[],
  sets: readonly BevBoxes[],
  options: { maxPoints?: number; caption?: string; colors?: string[] } = {},
): Figure {
  const [x0, y0, , x1, y1] = range;
  const inside: number[] = [];
  for (let i = 0; i < points.length; i += 4) {
    const x = points[i];
    const y = points[i + 1];
    if (x >= x0 && x < x1 && y >= y0 && y < y1) inside.push(i);
  }
  const stride = Math.max(1, Math.ceil(inside.length / (options.maxPoints ?? 1500)));
  const cloud = inside
    .filter((_, k) => k % stride === 0)
    .map((i) => ({ x: round(points[i], 3), y: round(points[i + 1], 3) }));
  const outlines: Record<string, number | string>[] = [];
  const corners = new Float64Array(8);
  for (const set of sets) {
    const n = Math.floor(set.boxes.length / 7);
    for (let b = 0; b < n; b++) {
      const o = b * 7;
      rectangleCorners(
        set.boxes[o],
        set.boxes[o + 1],
        set.boxes[o + 3],
        set.boxes[o + 4],
        set.boxes[o + 6],
        corners,
      );
      const score = set.scores ? round(set.scores[b], 3) : '';
      for (let k = 0; k <= 4; k++) {
        outlines.push({
          box: `${set.kind} ${b}`,
          kind: set.kind,
          order: k,
          x: round(corners[(k % 4) * 2], 3),
          y: round(corners[(k % 4) * 2 + 1], 3),
          score,
        });
      }
    }
  }
  const side = 360;
  const aspect = (y1 - y0) / (x1 - x0);
  const scaleX = { domain: [y0, y1], reverse: true, nice: false, zero: false };
  const scaleY = { domain: [x0, x1], nice: false, zero: false };
  return {
    title,
    caption: options.caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: Math.round(side * Math.min(1, aspect)),
      height: Math.round(side / Math.max(1, aspect)),
      layer: [
        {
          data: { values: cloud },
          mark: { type: 'circle', size: 2, opacity: 0.35, color: '#777' },
          encoding: {
            x: { field: 'y', type: 'quantitative', title: 'y, left (m)', scale: scaleX },
            y: { field: 'x', type: 'quantitative', title: 'x, forward (m)', scale: scaleY },
          },
        },
        {
          data: { values: outlines },
          mark: { type: 'line', strokeWidth: 1.5, clip: true },
          encoding: {
            x: { field: 'y', type: 'quantitative', scale: scaleX },
            y: { field: 'x', type: 'quantitative', scale: scaleY },
            detail: { field: 'box', type: 'nominal' },
            order: { field: 'order', type: 'quantitative' },
            color: {
              field: 'kind',
              type: 'nominal',
              title: null,
              scale: {
                domain: sets.map((s) => s.kind),
                range: options.colors ?? ['#2ca02c', '#d62728', '#1f77b4', '#ff7f0e'],
              },
            },
            tooltip: [
              { field: 'kind', type: 'nominal' },
              { field: 'score', type: 'nominal' },
            ],
          },
        },
      ],
    },
  };
}
