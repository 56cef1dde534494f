import { paperstackProject } from '../../vitest.shared';

export default paperstackProject('@paperstack/test-utils');
