import { paperstackProject } from '../vitest.shared';

export default paperstackProject('@paperstack/parity-sweep');
