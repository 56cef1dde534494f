import { describe, expect, it } from 'vitest';
import { PIPELINES } from './pipelines/index';
import { selectPipelines } from './select';

const P = [
  { name: 'hopfield-retrieval' },
  { name: 'hopfield-mil' },
  { name: 'maect' },
  { name: 'maect-cifar10', fullOnly: true },
];
const names = (ps: { name: string }[]) => ps.map((p) => p.name);

describe('selectPipelines', () => {
  it('quick runs everything but the full-only pipelines; --full runs all', () => {
    expect(names(selectPipelines(P, undefined, false))).toEqual([
      'hopfield-retrieval',
      'hopfield-mil',
      'maect',
    ]);
    expect(names(selectPipelines(P, [], true))).toEqual(names(P));
  });
  it('a group selects its pipelines, a full-only one only with --full or by its exact name', () => {
    expect(names(selectPipelines(P, ['hopfield'], false))).toEqual(['hopfield-retrieval', 'hopfield-mil']);
    expect(names(selectPipelines(P, ['maect'], false))).toEqual(['maect']);
    expect(names(selectPipelines(P, ['maect'], true))).toEqual(['maect', 'maect-cifar10']);
    expect(names(selectPipelines(P, ['maect-cifar10'], false))).toEqual(['maect-cifar10']);
  });
  it('the CIFAR-10 MAE-CT pipeline is the demo’s full-only one', () => {
    expect(PIPELINES.filter((p) => p.fullOnly).map((p) => p.name)).toEqual(['maect-cifar10']);
  });
});
