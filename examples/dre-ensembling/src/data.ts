import type { Rng } from '@paperstack/kernel-dre';

export interface Labeled {
  x: number[][];
  y: number[];
}

/** Two interleaved half-moons (classes alternate), Gaussian noise `noise`. */
export function moons(n: number, rng: Rng, noise = 0.1): Labeled {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = Math.PI * rng.next();
    const p = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    x.push([p[0] + noise * rng.normal(), p[1] + noise * rng.normal()]);
    y.push(c);
  }
  return { x, y };
}

/**
 * The target domain (TransformedMoons of Xpitfire/iwa): rotate by `angleDeg` about the moons'
 * centre (0.5, 0.25) and shift right by 0.3.
 */
export function shiftDomain(p: number[], angleDeg: number): number[] {
  const a = (angleDeg * Math.PI) / 180;
  const [u, v] = [p[0] - 0.5, p[1] - 0.25];
  return [Math.cos(a) * u - Math.sin(a) * v + 0.5 + 0.3, Math.sin(a) * u + Math.cos(a) * v + 0.25];
}

/** Source moons and the shifted target moons, drawn from one seed. */
export function shiftedMoons(n: number, angleDeg: number, rng: Rng): { source: Labeled; target: Labeled } {
  const source = moons(n, rng);
  const t = moons(n, rng);
  return { source, target: { x: t.x.map((p) => shiftDomain(p, angleDeg)), y: t.y } };
}
