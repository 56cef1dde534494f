// Small canvas helpers: bitmaps, a line chart and a bar chart. The charts have a handful of points and
// are redrawn on every step, so plain canvas calls suffice (no charting library in the bundle).

/** Ink colour for v = +1, paper for −1, grey for 0 (masked), linear in between. */
export function drawBitmap(
  canvas: HTMLCanvasElement,
  data: ArrayLike<number>,
  width: number,
  height: number,
): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = Math.max(-1, Math.min(1, data[i]));
    // −1 → paper (250, 248, 240), +1 → ink (20, 30, 60); 0 sits half way.
    const a = (v + 1) / 2;
    img.data[i * 4] = 250 + (20 - 250) * a;
    img.data[i * 4 + 1] = 248 + (30 - 248) * a;
    img.data[i * 4 + 2] = 240 + (60 - 240) * a;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function setupHiDpi(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || Number(canvas.getAttribute('width')) || 300;
  const h = canvas.clientHeight || Number(canvas.getAttribute('height')) || 150;
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h * ratio);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

const AXIS = '#555';
const FONT = '11px system-ui, sans-serif';

/** Plot margins in CSS pixels. */
interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Clears `canvas` for a chart: the title above, the y and x axes along the margins. */
function chartFrame(canvas: HTMLCanvasElement, title: string, m: Margins) {
  const ctx = setupHiDpi(canvas);
  const w = canvas.clientWidth || 300;
  const h = canvas.clientHeight || 150;
  ctx.font = FONT;
  ctx.fillStyle = AXIS;
  ctx.fillText(title, m.left, 13);
  ctx.strokeStyle = AXIS;
  ctx.beginPath();
  ctx.moveTo(m.left, m.top);
  ctx.lineTo(m.left, h - m.bottom);
  ctx.lineTo(w - m.right, h - m.bottom);
  ctx.stroke();
  return { ctx, w, h, ...m };
}

/** Energy per step: points joined by lines, y axis from min to max with a little margin. */
export function drawLineChart(canvas: HTMLCanvasElement, ys: readonly number[], title: string): void {
  const { ctx, w, h, left, right, top, bottom } = chartFrame(canvas, title, {
    left: 58,
    right: 10,
    top: 20,
    bottom: 26,
  });
  if (ys.length === 0) return;
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const n = Math.max(ys.length - 1, 1);
  const px = (i: number) => left + ((w - left - right) * i) / n;
  const py = (y: number) => top + ((h - top - bottom) * (hi - y)) / (hi - lo);
  ctx.textAlign = 'right';
  for (const y of [hi - pad, lo + pad]) ctx.fillText(y.toFixed(1), left - 4, py(y) + 4);
  ctx.textAlign = 'center';
  for (let i = 0; i < ys.length; i++)
    if (ys.length <= 12 || i % Math.ceil(ys.length / 12) === 0)
      ctx.fillText(String(i), px(i), h - bottom + 14);
  ctx.fillText('step', (left + w - right) / 2, h - 2);
  ctx.strokeStyle = '#c0392b';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(px(0), py(ys[0]));
  for (let i = 1; i < ys.length; i++) ctx.lineTo(px(i), py(ys[i]));
  ctx.stroke();
  ctx.fillStyle = '#c0392b';
  for (let i = 0; i < ys.length; i++) {
    ctx.beginPath();
    ctx.arc(px(i), py(ys[i]), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.textAlign = 'left';
}

/** Bars in [0, 1] with one label each (the association weights over the stored patterns). */
export function drawBarChart(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  labels: readonly string[],
  title: string,
): void {
  const { ctx, w, h, left, right, top, bottom } = chartFrame(canvas, title, {
    left: 30,
    right: 6,
    top: 20,
    bottom: 18,
  });
  ctx.textAlign = 'right';
  ctx.fillText('1', left - 4, top + 4);
  ctx.fillText('0', left - 4, h - bottom + 4);
  const n = values.length;
  if (n === 0) return;
  const slot = (w - left - right) / n;
  let best = 0;
  for (let i = 1; i < n; i++) if (values[i] > values[best]) best = i;
  ctx.textAlign = 'center';
  for (let i = 0; i < n; i++) {
    const bh = (h - top - bottom) * Math.max(0, Math.min(1, values[i]));
    ctx.fillStyle = i === best ? '#2e7d32' : '#7f8c8d';
    ctx.fillRect(left + i * slot + slot * 0.15, h - bottom - bh, slot * 0.7, bh);
    ctx.fillStyle = AXIS;
    ctx.fillText(labels[i] ?? '', left + (i + 0.5) * slot, h - 4);
  }
  ctx.textAlign = 'left';
}
