/** worker_threads entry: receives a TreeJob over shared memory, streams trees back, then the OOB votes. */
import { parentPort, workerData } from 'node:worker_threads';
import { runTreeJob, type TreeJob } from './job.ts';

const job = workerData as TreeJob;
const { oobVotes } = runTreeJob(job, (r) => parentPort!.postMessage({ kind: 'tree', ...r }));
parentPort!.postMessage({ kind: 'done', oobVotes }, [oobVotes.buffer as ArrayBuffer]);
