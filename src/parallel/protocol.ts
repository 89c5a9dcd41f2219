/**
 * The messages between the main thread and the gradient workers (plain, structured-cloneable objects), and the
 * layout of the shared buffer, in float64 units:
 *
 *     [0, p)                          params, written by the main thread before each call
 *     gradOffsets[s] … + p            ∂L_s/∂params of shard s, written by the worker that runs it
 *     y0Offsets[s] … + dims[s]        ∂L_s/∂y0_s
 *
 * Each shard owns its own slices, so workers never write the same memory, and the main thread reads them only after
 * every worker's reply has arrived (the reply message orders the worker's writes before the read).
 */
import type { ShardResult } from './shard.ts';

export interface BufferLayout {
  readonly paramCount: number;
  readonly gradOffsets: readonly number[];
  readonly y0Offsets: readonly number[];
  readonly dims: readonly number[];
  /** Total length in float64 entries. */
  readonly length: number;
}

interface ShardGroupTask {
  readonly module: string;
  readonly exportName: string;
  readonly shards: number;
  /** The shards this worker runs, in order (g, g + W, g + 2W, … for worker g of W). */
  readonly group: readonly number[];
  /** options.data; sent with describe, and with a gradient call only when the worker asked for it (needData). */
  readonly data?: unknown;
}

export interface DescribeTask extends ShardGroupTask {}
export interface DescribeReply { readonly shapes: readonly { paramCount: number; dim: number }[] }

export interface GradientTask extends ShardGroupTask {
  readonly hasData: boolean;
  readonly buffer: SharedArrayBuffer;
  readonly layout: BufferLayout;
  /** This call's minibatch payload (valueAndGradient's second argument), for every shard's batch hook; absent without one. */
  readonly payload?: unknown;
}
/** Either the group's results, or a request to resend the task with data (this worker had not set these shards up). */
export type GradientReply = { readonly results: readonly ShardResult[]; readonly needData?: undefined } | { readonly needData: true; readonly results?: undefined };

/** The layout for the given paramCount and shard dims. */
export function bufferLayout(paramCount: number, dims: readonly number[]): BufferLayout {
  const n = dims.length;
  const gradOffsets: number[] = [], y0Offsets: number[] = [];
  let at = paramCount;
  for (let s = 0; s < n; s++) { gradOffsets.push(at); at += paramCount; }
  for (let s = 0; s < n; s++) { y0Offsets.push(at); at += dims[s]; }
  return { paramCount, gradOffsets, y0Offsets, dims: [...dims], length: at };
}
