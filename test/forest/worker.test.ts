import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { runInWorkers, workerEntry } from '../../host/forest/train.ts';
import type { TreeJob } from '../../host/forest/job.ts';

const job = (treeIndices: number[]): TreeJob => ({
  data: { bins: new Uint8Array(0), n: 0, nFeatures: 0, nClasses: 2, y: new Uint16Array(0), classWeight: new Float64Array(2) },
  params: { maxDepth: 1, minLeaf: 1, maxFeatures: 1 },
  seed: 1,
  treeIndices,
}) as unknown as TreeJob;

describe('forest worker start-up', () => {
  it('runs the compiled worker.js when compiled, worker.ts when run from source', () => {
    assert.equal(workerEntry('file:///pkg/dist/js/host/forest/train.js').url.href, 'file:///pkg/dist/js/host/forest/worker.js');
    assert.equal(workerEntry('file:///pkg/dist/js/host/forest/train.js').fromSource, false);
    assert.equal(workerEntry('file:///src/host/forest/train.ts').url.href, 'file:///src/host/forest/worker.ts');
    assert.equal(workerEntry('file:///src/host/forest/train.ts').fromSource, true);
  });

  it('fails the training when a worker cannot start, instead of falling back to one thread', async () => {
    const broken = (): Worker => new Worker('throw new Error("no such module: worker.js")', { eval: true });
    await assert.rejects(runInWorkers([job([0]), job([1])], () => {}, broken), /forest worker failed: no such module: worker\.js/);
  });

  it('fails the training when a worker exits before it reports its trees', async () => {
    const quits = (): Worker => new Worker('process.exit(0)', { eval: true });
    await assert.rejects(runInWorkers([job([0])], () => {}, quits), /exited with code 0 before it finished/);
  });
});
