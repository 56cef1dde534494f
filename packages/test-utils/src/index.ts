export { describeBackends, TEST_BACKENDS, type TestBackend, useBackend } from './backends';
export { type CloseOptions, expectClose, type Numeric } from './expect-close';
export {
  type Fixture,
  type FixtureArray,
  FixtureError,
  fixtureTensor,
  fixtureTensors,
  loadFixture,
} from './fixtures';
export { expectNoLeakedTensors, type LeakOptions } from './leaks';
