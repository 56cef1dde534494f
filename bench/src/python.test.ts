import { describe, expect, it } from 'vitest';
import { runTorch } from './python';

describe('PyTorch side of the bench', () => {
  it('reports n/a instead of failing when python (or torch) is missing', () => {
    const run = runTorch([{ id: 'mm', torch: { kind: 'matmul', params: { a: [2, 2], b: [2, 2] } } }], {
      budgetS: 0.01,
      minIters: 1,
      threads: [1],
      python: '/nonexistent/python3',
    });
    expect(run.available).toBe(false);
    expect(run.torch).toMatch(/^n\/a \(\/nonexistent\/python3: /);
    expect(run.results).toEqual({});
  });
});
