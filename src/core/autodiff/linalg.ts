/**
 * Matrix product op C = op(A)·op(B) for 2-D Vars, with its pullback
 * (dA = dC·op(B)ᵀ, dB = op(A)ᵀ·dC, written out for each transpose case so every product is one gemm call).
 */
import { TideError, fmtShape, fmtGot } from '../errors.ts';
import { Node, activeTracer, checkVar } from './node.ts';
import type { Tracer } from './node.ts';
import { gemmNN, gemmNT, gemmTN, gemmTT, gemm } from '../kernels/gemm.ts';

class MatMulNode extends Node {
  readonly op = 'matmul';
  private readonly m: number; private readonly n: number; private readonly k: number;
  private readonly tA: boolean; private readonly tB: boolean;
  constructor(tracer: Tracer, a: Node, b: Node, tA: boolean, tB: boolean) {
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw new TideError('SHAPE', `matmul: both operands must be 2-D, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}. Reshape vectors to [1, n] or [n, 1].`);
    }
    const m = tA ? a.shape[1] : a.shape[0], ka = tA ? a.shape[0] : a.shape[1];
    const kb = tB ? b.shape[1] : b.shape[0], n = tB ? b.shape[0] : b.shape[1];
    if (ka !== kb) {
      throw new TideError('SHAPE', `matmul: inner dimensions differ: op(A) is [${m}, ${ka}] and op(B) is [${kb}, ${n}] (A ${fmtShape(a.shape)}${tA ? 'ᵀ' : ''}, B ${fmtShape(b.shape)}${tB ? 'ᵀ' : ''}).`);
    }
    super(tracer, [m, n], [a, b]);
    this.m = m; this.n = n; this.k = ka; this.tA = tA; this.tB = tB;
  }
  forward(): void {
    gemm(this.value, this.parents[0].value, this.parents[1].value, this.m, this.n, this.k, this.tA, this.tB);
  }
  backward(): void {
    const pa = this.parents[0], pb = this.parents[1], g = this.grad!, { m, n, k } = this;
    const A = pa.value, B = pb.value;
    if (!this.tA && !this.tB) {
      if (pa.needsGrad) gemmNT(pa.grad!, g, B, m, k, n, 1, 1);
      if (pb.needsGrad) gemmTN(pb.grad!, A, g, k, n, m, 1, 1);
    } else if (!this.tA && this.tB) {
      if (pa.needsGrad) gemmNN(pa.grad!, g, B, m, k, n, 1, 1);
      if (pb.needsGrad) gemmTN(pb.grad!, g, A, n, k, m, 1, 1);
    } else if (this.tA && !this.tB) {
      if (pa.needsGrad) gemmNT(pa.grad!, B, g, k, m, n, 1, 1);
      if (pb.needsGrad) gemmNN(pb.grad!, A, g, k, n, m, 1, 1);
    } else {
      if (pa.needsGrad) gemmTT(pa.grad!, B, g, k, m, n, 1, 1);
      if (pb.needsGrad) gemmTT(pb.grad!, g, A, n, k, m, 1, 1);
    }
  }
}

/** op(A)·op(B) for 2-D Vars; `transA`/`transB` use the transpose without copying. */
export function matmul(a: Node, b: Node, transA = false, transB = false): Node {
  const tracer = activeTracer('matmul');
  checkVar('matmul', 'a', a);
  checkVar('matmul', 'b', b);
  if (typeof transA !== 'boolean' || typeof transB !== 'boolean') {
    throw new TideError('BAD_ARGUMENT', `matmul: transA and transB must be true or false, got ${fmtGot(transA)} and ${fmtGot(transB)}; call matmul(a, b, false, true) for a·bᵀ.`);
  }
  return new MatMulNode(tracer, a, b, transA, transB);
}
