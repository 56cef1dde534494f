import { packageConfig } from '../../tsup.shared';

export default [
  packageConfig(),
  // the CLI: one ESM file (bin), not part of the library's public surface
  packageConfig({ entry: ['src/cli.ts'], format: ['esm'], dts: false, clean: false }),
];
