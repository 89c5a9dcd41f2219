/**
 * Butcher's order conditions from rooted trees (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.2, Theorem 2.13):
 * an RK method with weights w and matrix A has order p iff Σ_i w_i Φ_i(t) = 1/γ(t) for every rooted tree t with
 * |t| ≤ p, where Φ(•) = 1 and Φ([t_1 … t_m]) = Π_k (A Φ(t_k)) componentwise, γ(t) = |t| Π_k γ(t_k).
 * Counts of trees by order: 1, 1, 2, 4, 9, 20, 48, 115 (200 up to order 8).
 */

export interface RootedTree {
  readonly order: number;
  readonly children: readonly RootedTree[];
  /** Density γ(t). */
  readonly gamma: number;
  /** Canonical name, e.g. '[•,[•]]'. */
  readonly name: string;
}

/** All rooted trees of order 1 … maxOrder, grouped by order (index 0 unused). Each multiset of subtrees once. */
export function rootedTrees(maxOrder: number): RootedTree[][] {
  const byOrder: RootedTree[][] = [[], [{ order: 1, children: [], gamma: 1, name: '•' }]];
  const all: RootedTree[] = [byOrder[1][0]];
  for (let n = 2; n <= maxOrder; n++) {
    const out: RootedTree[] = [];
    // Children as a multiset: indices into `all` in nondecreasing order, total order n − 1.
    const pick = (from: number, rem: number, chosen: RootedTree[]): void => {
      if (rem === 0) {
        const gamma = chosen.reduce((g, c) => g * c.gamma, n);
        out.push({ order: n, children: [...chosen], gamma, name: `[${chosen.map((c) => c.name).join(',')}]` });
        return;
      }
      for (let i = from; i < all.length; i++) {
        if (all[i].order > rem) continue;
        chosen.push(all[i]);
        pick(i, rem - all[i].order, chosen);
        chosen.pop();
      }
    };
    pick(0, n - 1, []);
    byOrder.push(out);
    all.push(...out);
  }
  return byOrder;
}

/** Φ(t) for the s × s strictly lower matrix given by rows a[i] (row i may be shorter than s: missing entries are 0). */
export function elementaryWeights(a: readonly ArrayLike<number>[], t: RootedTree, memo = new Map<RootedTree, Float64Array>()): Float64Array {
  const hit = memo.get(t);
  if (hit !== undefined) return hit;
  const s = a.length;
  const phi = new Float64Array(s).fill(1);
  for (const child of t.children) {
    const v = elementaryWeights(a, child, memo);
    for (let i = 0; i < s; i++) {
      let acc = 0;
      for (let j = 0; j < a[i].length; j++) acc += a[i][j] * v[j];
      phi[i] *= acc;
    }
  }
  memo.set(t, phi);
  return phi;
}

/**
 * Residuals Σ w_i Φ_i(t) − θ^|t|/γ(t) for every tree of order ≤ maxOrder (θ = 1: the method's order conditions;
 * θ ∈ (0, 1): the continuous order conditions of a dense output with weights w = B(θ)).
 */
export function orderResiduals(a: readonly ArrayLike<number>[], w: ArrayLike<number>, maxOrder: number, theta = 1):
  { order: number; tree: string; r: number }[] {
  const memo = new Map<RootedTree, Float64Array>();
  const res: { order: number; tree: string; r: number }[] = [];
  for (const group of rootedTrees(maxOrder)) {
    for (const t of group) {
      const phi = elementaryWeights(a, t, memo);
      let sum = 0;
      for (let i = 0; i < w.length; i++) sum += w[i] * phi[i];
      res.push({ order: t.order, tree: t.name, r: sum - theta ** t.order / t.gamma });
    }
  }
  return res;
}

/** Largest |residual| among trees of exactly order p. */
export function maxResidualAt(res: { order: number; r: number }[], p: number): number {
  return res.filter((x) => x.order === p).reduce((m, x) => Math.max(m, Math.abs(x.r)), 0);
}
