// Worker entry for tests and benches that run tide from its TypeScript sources: Node's worker threads do not inherit
// the tsx loader given by `node --import tsx`, so register it here, then load tide's worker.
import { register } from 'tsx/esm/api';

register();
await import('../../src/parallel/worker.ts');
