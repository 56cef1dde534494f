import { paperstackProject } from '../../vitest.shared';

export default paperstackProject('@paperstack/example-hopfield-analysis');
