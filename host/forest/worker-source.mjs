// The forest worker run from source (tests, a git checkout): load worker.ts through tsx inside this thread.
// The compiled package runs dist/js/host/forest/worker.js instead and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
