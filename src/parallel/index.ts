/** Data-parallel gradients: shards of a loss on worker threads / Web Workers, summed in shard order. */
export { parallelGradient, parallelValueAndGradient } from './pool.ts';
export type { ParallelGradient, ParallelGradientOptions, ParallelGradientResult, ModuleUrl } from './pool.ts';
export type { ShardContext, ShardProblem, ShardSetup, ShardResult, ShardBatch } from './shard.ts';
export { fitParallel } from './fit.ts';
export type { FitParallelOptions, FitParallelResult } from './fit.ts';
