/**
 * Loss helpers for {@link fit}: each returns `(ys, dYs, batch?) => L` that computes the loss of the saved outputs
 * `ys` and writes ∂L/∂ys into `dYs` (same length; every entry is written). Core code, allocation-free per call.
 *
 *     mse:           L = Σ_r w_r Σ_j (y_rj − t_rj)² / (W · m)          (torch.nn.MSELoss, reduction 'mean')
 *     l1:            L = Σ_r w_r Σ_j |y_rj − t_rj| / (W · m)           (torch.nn.L1Loss; subgradient 0 at 0)
 *     crossEntropy:  L = −Σ_r w_r log softmax(z_r)[c_r] / W             (torch.nn.CrossEntropyLoss on logits)
 *
 * Rows r: with `weights` (or `mask`) of length R, ys is R rows of m = ys.length / R entries; W = Σ_r w_r. Without,
 * every entry (mse, l1) or every row of logits (crossEntropy) weighs 1. `reduction: 'sum'` drops the division.
 * Log-softmax is computed as z − max z − log Σ exp(z − max z), stable for any finite logits (Goodfellow, Bengio &
 * Courville, Deep Learning, §4.1).
 */
import { TideError, checkOptions, fmtGot } from '../core/errors.ts';
import { describe } from '../core/array.ts';

/** A loss as fit takes it: returns L, writes ∂L/∂ys into dYs. `batch.target`, when given, replaces the target. */
export type LossFn = (ys: Readonly<Float64Array>, dYs: Float64Array, batch?: { readonly target?: Readonly<Float64Array> }) => number;

/** Options of {@link mse}, {@link l1} and {@link crossEntropy}. */
export interface LossOptions {
  /** One weight ≥ 0 per row (finite, not all 0); ys is weights.length rows. */
  weights?: ArrayLike<number>;
  /** One 0/1 (or boolean) per row: rows with 0 are left out of L and get zero gradient. Not with weights. */
  mask?: ArrayLike<number | boolean>;
  /** 'mean' (default: divided by the total weight, and by the row width for mse / l1) or 'sum'. */
  reduction?: 'mean' | 'sum';
}

const LOSS_KEYS = ['weights', 'mask', 'reduction'];

interface Parsed { w: Float64Array | null; total: number; mean: boolean }

function parse(where: string, o: LossOptions | undefined): Parsed {
  checkOptions(where, o, LOSS_KEYS, '{ weights: rowWeights } or { mask: rowMask }');
  const opts = o ?? {};
  const reduction = opts.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') {
    throw new TideError('BAD_OPTION', `${where}: reduction must be 'mean' or 'sum', got ${fmtGot(reduction)}.`, { option: 'reduction' });
  }
  if (opts.weights !== undefined && opts.mask !== undefined) {
    throw new TideError('BAD_OPTION', `${where}: pass weights or mask, not both (a mask is 0/1 weights).`, { option: 'mask' });
  }
  const src = opts.weights ?? opts.mask;
  const name = opts.weights !== undefined ? 'weights' : 'mask';
  if (src === undefined) return { w: null, total: 0, mean: reduction === 'mean' };
  if (typeof src !== 'object' || src === null || typeof (src as ArrayLike<unknown>).length !== 'number') {
    throw new TideError('BAD_OPTION', `${where}: ${name} must be an array with one entry per row, got ${fmtGot(src)}.`, { option: name });
  }
  const w = new Float64Array(src.length);
  let total = 0;
  for (let r = 0; r < src.length; r++) {
    const v: unknown = src[r];
    const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (typeof x !== 'number' || !(x >= 0 && x <= Number.MAX_VALUE) || (name === 'mask' && x !== 0 && x !== 1)) {
      throw new TideError('BAD_OPTION', `${where}: ${name}[${r}] must be ${name === 'mask' ? '0, 1, true or false' : 'a finite number ≥ 0'}, got ${fmtGot(v)}.`, { option: name, index: r });
    }
    w[r] = x; total += x;
  }
  if (!(total > 0)) throw new TideError('BAD_OPTION', `${where}: every row's ${name} is 0, so the loss is empty; keep at least one row.`, { option: name });
  return { w, total, mean: reduction === 'mean' };
}

function checkTarget(where: string, name: string, t: unknown): Readonly<Float64Array> | undefined {
  if (t === undefined) return undefined;
  if (!(t instanceof Float64Array)) {
    throw new TideError('DTYPE', `${where}: ${name} must be a Float64Array shaped like ys, got ${describe(t)}.${Array.isArray(t) ? ' Use Float64Array.from(...).' : ''}`, { argument: name });
  }
  return t;
}

/** Elementwise loss with value φ(d) and derivative φ'(d) of d = y − t: mse (d², 2d) or l1 (|d|, sign d). */
function elementwise(where: string, target: Float64Array | undefined, o: LossOptions | undefined, abs: boolean): LossFn {
  const fixed = checkTarget(where, 'target', target);
  const p = parse(where, o);
  return (ys, dYs, batch) => {
    const t = checkTarget(where, 'batch.target', batch?.target) ?? fixed;
    if (t === undefined) throw new TideError('BAD_ARGUMENT', `${where}: no target: pass ${where}(target) or return target from fit's batch hook.`, {});
    const n = ys.length;
    if (t.length !== n || dYs.length !== n) {
      throw new TideError('SHAPE', `${where}: ys has ${n} entries but the target has ${t.length} (and dYs ${dYs.length}); they must match.`, { ys: n, target: t.length });
    }
    const w = p.w;
    const rows = w === null ? n : w.length;
    if (rows === 0 || n % rows !== 0) {
      throw new TideError('SHAPE', `${where}: ys has ${n} entries, not a whole number of rows for ${rows} row weights.`, { ys: n, rows });
    }
    const m = n / rows;
    const scale = p.mean ? 1 / ((w === null ? rows : p.total) * m) : 1;
    let L = 0;
    for (let r = 0, i = 0; r < rows; r++) {
      const wr = w === null ? scale : w[r] * scale;
      for (let j = 0; j < m; j++, i++) {
        const d = ys[i] - t[i];
        if (abs) {
          L += wr * Math.abs(d);
          dYs[i] = d > 0 ? wr : d < 0 ? -wr : 0; // subgradient 0 at d = 0, as torch's sign
        } else {
          L += wr * d * d;
          dYs[i] = 2 * wr * d;
        }
      }
    }
    return L;
  };
}

/**
 * Mean squared error against `target` (same length as ys), torch.nn.MSELoss. Without a target here, each call
 * uses the target fit's batch hook returned. Use l1 for outliers in the data.
 * @throws TideError('DTYPE') for a target that is not a Float64Array; TideError('BAD_OPTION') for bad options;
 *   at call: TideError('SHAPE') for lengths that differ.
 */
export function mse(target?: Float64Array, options?: LossOptions): LossFn {
  return elementwise('mse', target, options, false);
}

/**
 * Mean absolute error against `target`, torch.nn.L1Loss (ode_demo.py's `torch.mean(torch.abs(pred_y − batch_y))`);
 * ∂|d|/∂d is taken as sign(d), 0 at d = 0. Robust to outliers; its gradient does not shrink near the optimum
 * (use mse or a decaying lr to settle).
 * @throws as {@link mse}.
 */
export function l1(target?: Float64Array, options?: LossOptions): LossFn {
  return elementwise('l1', target, options, true);
}

/**
 * Cross-entropy of logits: ys is labels.length rows of `classes` logits, labels[r] ∈ [0, classes) the class of
 * row r; L = mean over rows of −log softmax(z_r)[labels[r]], ∂L/∂z_r = (softmax(z_r) − e_{labels[r]}) / R
 * (torch.nn.CrossEntropyLoss). For regression use mse.
 * @throws TideError('BAD_ARGUMENT') for labels that are not integers in [0, classes) or classes < 2;
 *   at call: TideError('SHAPE') when ys.length ≠ labels.length · classes.
 */
export function crossEntropy(labels: ArrayLike<number>, classes: number, options?: LossOptions): LossFn {
  const where = 'crossEntropy';
  if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 2) {
    throw new TideError('BAD_ARGUMENT', `${where}: classes must be an integer ≥ 2 (logits per row), got ${fmtGot(classes)}.`, { argument: 'classes' });
  }
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number' || labels.length === 0) {
    throw new TideError('BAD_ARGUMENT', `${where}: labels must be a non-empty array of class indices, one per row, got ${fmtGot(labels)}.`, { argument: 'labels' });
  }
  const R = labels.length;
  const lab = new Int32Array(R);
  for (let r = 0; r < R; r++) {
    const c = labels[r];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new TideError('BAD_ARGUMENT', `${where}: labels[${r}] must be an integer in [0, ${classes}), got ${fmtGot(c)}.`, { argument: 'labels', index: r });
    }
    lab[r] = c;
  }
  const p = parse(where, options);
  if (p.w !== null && p.w.length !== R) {
    throw new TideError('BAD_OPTION', `${where}: ${options?.weights !== undefined ? 'weights' : 'mask'} has ${p.w.length} entries for ${R} labels; give one per row.`, { option: 'weights' });
  }
  const scale = p.mean ? 1 / (p.w === null ? R : p.total) : 1;
  return (ys, dYs) => {
    if (ys.length !== R * classes || dYs.length !== ys.length) {
      throw new TideError('SHAPE', `${where}: ys has ${ys.length} entries; expected ${R} rows × ${classes} classes = ${R * classes}.`, { ys: ys.length, expected: R * classes });
    }
    let L = 0;
    for (let r = 0; r < R; r++) {
      const o = r * classes;
      const wr = p.w === null ? scale : p.w[r] * scale;
      let mx = -Infinity;
      for (let j = 0; j < classes; j++) if (ys[o + j] > mx) mx = ys[o + j];
      let s = 0;
      for (let j = 0; j < classes; j++) s += Math.exp(ys[o + j] - mx);
      const lse = mx + Math.log(s);
      L -= wr * (ys[o + lab[r]] - lse);
      for (let j = 0; j < classes; j++) dYs[o + j] = wr * Math.exp(ys[o + j] - lse);
      dYs[o + lab[r]] -= wr;
    }
    return L;
  };
}
