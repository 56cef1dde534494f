import { packageConfig } from '../../tsup.shared';

// cli.ts is the `paperstack-native` bin (dist/cli.js). Shims give the CJS build `import.meta.url`
// (the native setup resolves tfjs-node and node-gyp from this package's location).
export default packageConfig({ entry: ['src/index.ts', 'src/cli.ts'], shims: true });
