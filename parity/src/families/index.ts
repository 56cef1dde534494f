import { hopfieldRunner } from './hopfield';
import { infoloobRunner } from './infoloob';
import { kernelDreRunner } from './kernel-dre';
import { maectRunner } from './maect';
import { nnclrRunner } from './nnclr';
import type { FamilyRunner } from './types';

/** The runner of each package's families (the package names of parity/python/sweep.py FAMILIES). */
export const RUNNERS: Record<string, FamilyRunner> = {
  'hopfield-layer': hopfieldRunner,
  infoloob: infoloobRunner,
  nnclr: nnclrRunner,
  maect: maectRunner,
  'kernel-dre': kernelDreRunner,
};

export type { FamilyRunner } from './types';
