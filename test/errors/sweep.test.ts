/**
 * "Anything public throws only TideError": every exported function and method of the modules nn, optim, train,
 * autodiff, core arrays/random/fields, stability and problems is called with junk (null, undefined, 42, 'x', {},
 * [1, 2]) in every position, alone and in place of one argument of a valid call. Whatever it throws must be a
 * TideError; returning normally is fine (many arguments are optional).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tide from '../../src/index.ts';
import { TideError, ops, trace, Rng } from '../../src/index.ts';
import type { Model, Var } from '../../src/index.ts';

const JUNK: unknown[] = [null, undefined, 42, 'x', {}, [1, 2], NaN, -1];
type Fn = (...args: unknown[]) => unknown;

/** Calls fn with junk in every pattern; returns the descriptions of calls that threw anything but a TideError. */
function sweep(label: string, fn: Fn, valid: unknown[] = [], self?: unknown): string[] {
  const bad: string[] = [];
  const call = (args: unknown[]): void => {
    try { fn.apply(self, args); } catch (e) {
      if (!(e instanceof TideError)) bad.push(`${label}(${args.map(show).join(', ')}) threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  };
  call([]);
  for (const j of JUNK) for (const n of [1, 2, 3, 7]) call(new Array(n).fill(j));
  for (let i = 0; i < valid.length; i++) for (const j of JUNK) { const a = [...valid]; a[i] = j; call(a); }
  return bad;
}
const show = (x: unknown): string => (x === undefined ? 'undefined' : typeof x === 'string' ? `'${x}'` : Array.isArray(x) ? `[${x}]` : x !== null && typeof x === 'object' ? (x.constructor?.name ?? 'object') : String(x));

/** Every exported function of a namespace object (classes are constructed with new). */
function sweepNamespace(prefix: string, ns: Record<string, unknown>, skip: ReadonlySet<string> = new Set()): string[] {
  const bad: string[] = [];
  for (const [name, v] of Object.entries(ns)) {
    if (typeof v !== 'function' || skip.has(name)) continue;
    const isClass = /^class\b/.test(Function.prototype.toString.call(v));
    bad.push(...sweep(`${prefix}${name}`, isClass ? (...a: unknown[]) => new (v as new (...x: unknown[]) => unknown)(...a) : (v as Fn)));
  }
  return bad;
}

/** Exported by src/index.ts but owned by other modules (solving, terms, solvers, gradients, control, kernels). */
const NOT_OURS = new Set([
  'solve', 'prepareSolve', 'solveWithGradient', 'valueAndGradient', 'odeTerm', 'controlTerm', 'diffusionTerm', 'sumTerms', 'isTerm',
  'linearPath', 'brownianPath', 'defineTableau', 'isTableau', 'erkSolver', 'vcab3', 'getSolver', 'resolveSolver', 'hermiteCubic',
  'dopri5Dense', 'tsit5Dense', 'dopri8Dense', 'coupledSolver', 'reversibleHeun', 'mali', 'maliSolver', 'rmsNorm', 'rmsNormRange',
  'PIController', 'IController', 'ScipyController', 'direct', 'checkpoint', 'backsolve', 'interpolated', 'reversible', 'quadrature',
  'TideError', 'getActivation',
]);

const assertClean = (bad: string[]): void => assert.deepEqual(bad, [], `${bad.length} calls threw a raw error:\n${bad.slice(0, 30).join('\n')}`);

test('every top-level function and class of ours', () => {
  assertClean(sweepNamespace('', tide as unknown as Record<string, unknown>, NOT_OURS));
});

test('the stability and problems namespaces', () => {
  assertClean([...sweepNamespace('stability.', tide.stability), ...sweepNamespace('problems.', tide.problems)]);
});

test('every op, outside a trace and inside one', () => {
  const bad = sweepNamespace('ops.', tide.ops);
  trace({ x: [2], m: [2, 2] }, ({ x, m }) => {
    for (const [name, op] of Object.entries(tide.ops)) {
      bad.push(...sweep(`ops.${name} (traced)`, op as Fn, name === 'matmul' ? [m, m] : name === 'model' ? [tide.dense(2, 2), x, x] : [x, x]));
    }
    return ops.sum(x);
  });
  assertClean(bad);
});

const spec = { name: 'c', inDim: 2, outDim: 2, params: [{ name: 'w', shape: [2, 2] }], forward: (x: Var, p: Record<string, Var>) => ops.matmul(x, p.w) };

test('model methods: init, workspace, apply, vjp', () => {
  const models: Model[] = [tide.dense(2, 2), tide.mlp([2, 3, 2]), tide.concatSquash(2, 2), tide.customModel(spec), new tide.ActivationLayer('tanh', 2),
    tide.chain(tide.dense(2, 3), 'relu', tide.dense(3, 2))];
  const bad: string[] = [];
  for (const m of models) {
    const p = new Float64Array(m.paramCount), ws = m.workspace(1), x = Float64Array.of(0.1, 0.2), out = new Float64Array(2);
    bad.push(...sweep(`${m.name}.init`, m.init as Fn, [p, new Rng(0)], m));
    bad.push(...sweep(`${m.name}.workspace`, m.workspace as Fn, [1], m));
    bad.push(...sweep(`${m.name}.apply`, m.apply as Fn, [out, p, x, ws, 0], m));
    m.apply(out, p, x, ws, 0);
    bad.push(...sweep(`${m.name}.vjp`, m.vjp as Fn, [new Float64Array(m.paramCount), new Float64Array(2), Float64Array.of(1, 1), p, x, ws, 0], m));
  }
  assertClean(bad);
});

test('optimizer methods and schedules', () => {
  const bad: string[] = [];
  for (const name of tide.optimizerNames) {
    const o = tide.optimizer(name);
    bad.push(...sweep(`${name}.step`, o.step as Fn, [Float64Array.of(1, 2), Float64Array.of(0.1, 0.2)], o));
    bad.push(...sweep(`${name}.loadState`, o.loadState as Fn, [o.state()], o));
  }
  assertClean(bad);
});

test('field, tape, Graph, NDArray, Rng, vjp result and loss methods', () => {
  const bad: string[] = [];
  const net = tide.mlp([2, 3, 2]);
  const fields = [tide.fieldFromModel(net), tide.fieldFromTrace((_t, y, p) => ops.model(net, p, y), { shape: [1, 2], paramCount: net.paramCount })];
  for (const f of fields) {
    const p = new Float64Array(net.paramCount), y = Float64Array.of(0.1, 0.2);
    bad.push(...sweep(`${f.name}.eval`, f.eval as Fn, [new Float64Array(2), 0, y, p], f));
    bad.push(...sweep(`${f.name}.vjp`, f.vjp as Fn, [new Float64Array(2), new Float64Array(net.paramCount), Float64Array.of(1, 1), 0, y, p], f));
    bad.push(...sweep(`${f.name}.tape`, f.tape as Fn, [2], f));
    const tape = f.tape!(2);
    tape.eval(0, new Float64Array(2), 0, y, p);
    bad.push(...sweep(`${f.name} tape.eval`, tape.eval as Fn, [0, new Float64Array(2), 0, y, p], tape));
    bad.push(...sweep(`${f.name} tape.vjp`, tape.vjp as Fn, [0, new Float64Array(2), null, Float64Array.of(1, 1)], tape));
  }
  const g = trace({ x: [2], s: [] }, ({ x, s }) => ops.mul(ops.sum(x), s));
  for (const m of ['bind', 'bindGrad', 'backward', 'grad', 'input', 'hasGrad'] as const) {
    bad.push(...sweep(`Graph.${m}`, g[m] as Fn, m === 'backward' ? [1] : ['x', Float64Array.of(1, 2)], g));
  }
  const a = tide.NDArray.zeros([2, 2]);
  for (const m of ['get', 'set', 'reshape'] as const) bad.push(...sweep(`NDArray.${m}`, a[m] as Fn, m === 'set' ? [1, 0, 0] : [0, 0], a));
  bad.push(...sweep('NDArray.zeros', tide.NDArray.zeros as Fn, [[2]]), ...sweep('NDArray.from', tide.NDArray.from as Fn, [[1, 2]]));
  const r = new Rng(1);
  for (const m of ['uniformIn', 'int', 'fillUniform', 'fillNormal'] as const) bad.push(...sweep(`Rng.${m}`, r[m] as Fn, m === 'int' ? [3] : m === 'uniformIn' ? [0, 1] : [new Float64Array(2), 0, 1], r));
  const res = tide.vjp((x) => ops.sum(x), Float64Array.of(1, 2));
  bad.push(...sweep('vjp(...).pullback', res.pullback as Fn, [1]));
  bad.push(...sweep('mseLoss(...)', tide.problems.mseLoss(Float64Array.of(1, 2)) as Fn, [Float64Array.of(1, 2), new Float64Array(2)]));
  const nf = tide.problems.neuralSpiralField(1, 3);
  bad.push(...sweep('neuralSpiralField.init', nf.init as Fn, [new Float64Array(nf.paramCount), new Rng(0)], nf));
  assertClean(bad);
});

test('the sweep itself catches a raw TypeError and covers every function of ours', () => {
  assert.ok(sweep('probe', (x: unknown) => (x as { a: { b: number } }).a.b).length > 0);
  const ours = Object.entries(tide).filter(([k, v]) => typeof v === 'function' && !NOT_OURS.has(k)).map(([k]) => k);
  for (const name of ['fieldFromTrace', 'fieldFromModel', 'mlp', 'fit', 'loadParams', 'saveParams', 'customModel', 'adam', 'NDArray', 'Rng', 'trace', 'vjp']) {
    assert.ok(ours.includes(name), name);
  }
  assert.ok(ours.length >= 40, `${ours.length} functions`);
});
