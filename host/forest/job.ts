/** One worker's share of a forest: grow the listed trees, keep their out-of-bag votes. Also run in-process. */
import { growTree, leafOfBinned, type GrowData, type GrowParams, type GrownTree } from './grow.ts';
import { Rng } from './rng.ts';

export interface TreeJob {
  data: GrowData;
  params: GrowParams;
  seed: number;
  treeIndices: number[];
}

export interface TreeResult {
  index: number;
  tree: Omit<GrownTree, 'inBag'>;
}

/** Each tree's randomness depends on (seed, tree index) only: any worker count gives the same forest. */
export function runTreeJob(job: TreeJob, onTree: (r: TreeResult) => void): { oobVotes: Float64Array } {
  const { data } = job;
  const K = data.nClasses;
  const oobVotes = new Float64Array(data.n * K);
  for (const index of job.treeIndices) {
    const t = growTree(data, job.params, new Rng(job.seed, index + 1));
    for (let r = 0; r < data.n; r++) {
      if (t.inBag[r]) continue;
      const base = leafOfBinned(t, data.bins, data.n, r) * K;
      for (let c = 0; c < K; c++) oobVotes[r * K + c] += t.leaves[base + c]!;
    }
    const { inBag: _drop, ...tree } = t;
    onTree({ index, tree });
  }
  return { oobVotes };
}
