/** worker_threads entry: receives a TreeJob over shared memory, streams trees back, then the OOB votes. */
import { parentPort, workerData } from 'node:worker_threads';
import { runTreeJob, type TreeJob } from './job.ts';

const shared = workerData as TreeJob;
// Private copies of the shared inputs: reads from SharedArrayBuffer-backed arrays are markedly slower in V8's hot loops.
const job: TreeJob = { ...shared, data: { ...shared.data, bins: shared.data.bins.slice(), y: shared.data.y.slice() } };
const { oobVotes } = runTreeJob(job, (r) => parentPort!.postMessage({ kind: 'tree', ...r }));
parentPort!.postMessage({ kind: 'done', oobVotes }, [oobVotes.buffer as ArrayBuffer]);
