/**
 * Bad input to solving, terms, solvers and gradient methods: every case is a TideError whose message names what was
 * wrong and the fix (matched on its key phrase). A table, one row per case.
 */
import { test } from 'node:test';
import { solve, solveWithGradient, prepareSolve, valueAndGradient, fieldFromTrace, ops, direct, checkpoint, backsolve, interpolated,
  reversible, quadrature, odeTerm, controlTerm, diffusionTerm, sumTerms, linearPath, brownianPath, coupledSolver, tableaus, Rng,
  maliSolver, defineTableau, erkSolver, getSolver, resolveSolver, PIController, IController, ScipyController } from '../../src/index.ts';
import type { TideErrorCode } from '../../src/index.ts';
import { throwsTide } from '../oracles/throws.ts';

const f = fieldFromTrace((_t, y, p) => ops.mul(ops.at(p, 0), y), { shape: [2], paramCount: 1, name: 'lin' });
const p = Float64Array.of(-1), y0 = Float64Array.of(1, 2);
const base = { t1: 1, params: p } as const;
const noVjp = { dim: 2, paramCount: 0, name: 'plain', eval: (o: Float64Array, _t: number, y: Float64Array) => { o[0] = -y[0]; o[1] = -y[1]; } };
const g2 = { dim: 2, controlDim: 2, paramCount: 1, eval: (o: Float64Array) => { o.fill(0.1); } };
const X = linearPath([0, 1], [0, 0, 1, 1], 2);

const cases: Array<[string, () => unknown, TideErrorCode, RegExp]> = [
  // solve options
  ['unknown option with a suggestion', () => solve(f, y0, { ...base, rtoll: 1e-3 } as never), 'BAD_OPTION', /unknown option 'rtoll'.*Did you mean 'rtol'/],
  ['no options', () => solve(f, y0, undefined as never), 'BAD_ARGUMENT', /options must be an object with at least t1/],
  ['t1 not a number', () => solve(f, y0, { t1: 'x' as never, params: p }), 'BAD_OPTION', /t1 must be a finite number/],
  ['t1 NaN', () => solve(f, y0, { t1: NaN, params: p }), 'BAD_OPTION', /t1 must be a finite number/],
  ['rtol zero', () => solve(f, y0, { ...base, rtol: 0 }), 'BAD_OPTION', /rtol must be a finite number > 0/],
  ['rtol NaN', () => solve(f, y0, { ...base, rtol: NaN }), 'BAD_OPTION', /rtol must be a finite number > 0/],
  ['atol wrong length', () => solve(f, y0, { ...base, atol: new Float64Array(3) }), 'SHAPE', /atol has length 3/],
  ['y0 plain array', () => solve(f, [1, 2] as never, base), 'DTYPE', /y0 must be a Float64Array.*Float64Array\.from/],
  ['y0 wrong length', () => solve(f, Float64Array.of(1), base), 'SHAPE', /y0 has length 1 but the field 'lin' has dim 2/],
  ['y0 NaN', () => solve(f, Float64Array.of(1, NaN), base), 'NONFINITE', /y0/],
  ['params wrong length', () => solve(f, y0, { t1: 1, params: new Float64Array(2) }), 'SHAPE', /params has length 2/],
  ['params NaN', () => solve(f, y0, { t1: 1, params: Float64Array.of(NaN) }), 'NONFINITE', /params/],
  ['unknown method', () => solve(f, y0, { ...base, method: 'dopri' }), 'UNKNOWN_NAME', /unknown method 'dopri'.*Did you mean 'dopri5'/],
  ['fixed step without stepSize', () => solve(f, y0, { ...base, method: 'rk4' }), 'BAD_OPTION', /fixed-step solves need stepSize/],
  ['adaptive without error estimate', () => solve(f, y0, { ...base, method: 'rk4', adaptive: true }), 'BAD_OPTION', /has no error estimate/],
  ['stepSize zero', () => solve(f, y0, { ...base, stepSize: 0 }), 'BAD_OPTION', /stepSize must be a finite non-zero number/],
  ['maxSteps not integer', () => solve(f, y0, { ...base, maxSteps: 1.5 }), 'BAD_OPTION', /maxSteps must be a positive integer/],
  ['minStep > maxStep', () => solve(f, y0, { ...base, minStep: 1, maxStep: 0.1 }), 'BAD_OPTION', /minStep = 1 exceeds maxStep = 0.1/],
  ['minStepPolicy', () => solve(f, y0, { ...base, minStepPolicy: 'never' as never }), 'BAD_OPTION', /minStepPolicy must be 'accept' or 'fail'/],
  ['tstops not an array', () => solve(f, y0, { ...base, tstops: 3 as never }), 'BAD_OPTION', /tstops must be an array/],
  ['tstops NaN', () => solve(f, y0, { ...base, tstops: [NaN] }), 'BAD_OPTION', /tstops\[0\] is number NaN; stop times must be finite/],
  ['saveAt.ts outside', () => solve(f, y0, { ...base, saveAt: { ts: [2] } }), 'BAD_OPTION', /outside the solved interval/],
  ['saveAt.ts not monotone', () => solve(f, y0, { ...base, saveAt: { ts: [0.5, 0.2] } }), 'BAD_OPTION', /non-monotone save times/],
  ['saveAt unknown key', () => solve(f, y0, { ...base, saveAt: { t: true } as never }), 'BAD_OPTION', /unknown option 't'/],
  ['controller junk', () => solve(f, y0, { ...base, controller: 'pid' as never }), 'BAD_OPTION', /controller must be 'pi', 'i', 'scipy'/],
  ['event without condition', () => solve(f, y0, { ...base, events: {} as never }), 'BAD_OPTION', /events\[0\] must be \{ condition/],
  ['first argument junk', () => solve(42 as never, y0, base), 'BAD_ARGUMENT', /the first argument must be a Term, a VectorField or a function/],
  ['vcab3 on a control term', () => solve(controlTerm(g2, X), y0, { t1: 1, params: p, method: 'vcab3' }), 'BAD_OPTION', /vcab3 steps ODE terms only/],
  ['stabilityCheck junk', () => solve(f, y0, { ...base, stabilityCheck: 1 as never }), 'BAD_OPTION', /stabilityCheck must be true or false/],
  // gradients
  ['unknown gradient method', () => solveWithGradient(f, y0, { ...base, gradient: 'adjoint' }), 'UNKNOWN_NAME', /unknown gradient method 'adjoint'/],
  ['gradient junk', () => solveWithGradient(f, y0, { ...base, gradient: 42 as never }), 'BAD_OPTION', /gradient must be a method name/],
  ['field without vjp', () => solveWithGradient(noVjp, y0, { t1: 1 }), 'BAD_ARGUMENT', /has no vjp/],
  ['old flat option checkpoints', () => solveWithGradient(f, y0, { ...base, checkpoints: 4 } as never), 'BAD_OPTION', /unknown option 'checkpoints'/],
  ['old flat option adjointRtol', () => solveWithGradient(f, y0, { ...base, adjointRtol: 1e-6 } as never), 'BAD_OPTION', /unknown option 'adjointRtol'/],
  ['dYs wrong length', () => solveWithGradient(f, y0, base).backward(new Float64Array(3)), 'SHAPE', /dYs must be a Float64Array of length 4/],
  ['dYs NaN', () => solveWithGradient(f, y0, base).backward(Float64Array.of(NaN, 0, 0, 0)), 'NONFINITE', /dYs/],
  ['backward option unknown', () => solveWithGradient(f, y0, base).backward(new Float64Array(4), { dEvent: 1 } as never), 'BAD_OPTION', /unknown option 'dEvent'/],
  ['direct with options', () => direct({ slots: 3 } as never), 'BAD_OPTION', /unknown option 'slots'/],
  ['checkpoint slots 0', () => checkpoint({ slots: 0 }), 'BAD_OPTION', /slots must be an integer ≥ 1/],
  ['checkpoint schedule', () => checkpoint({ schedule: 'offline' as never }), 'BAD_OPTION', /schedule must be 'online' or 'revolve'/],
  ['checkpoint on vcab3', () => solveWithGradient(f, y0, { ...base, method: 'vcab3', gradient: 'checkpoint' }), 'BAD_OPTION', /vcab3 cannot be restarted from a stored state/],
  ['backsolve rtol', () => backsolve({ rtol: -1 }), 'BAD_OPTION', /the adjoint rtol must be a finite number > 0/],
  ['backsolve maxSteps', () => backsolve({ maxSteps: 0 }), 'BAD_OPTION', /the adjoint maxSteps must be a positive integer/],
  ['backsolve norm', () => backsolve({ norm: 'semi' as never }), 'UNKNOWN_NAME', /unknown adjoint norm 'semi'/],
  ['backsolve unknown key', () => backsolve({ rtoll: 1 } as never), 'BAD_OPTION', /unknown option 'rtoll'/],
  ['backsolve on a control term', () => solveWithGradient(controlTerm({ ...g2, vjp: () => 0 }, X), y0, { t1: 1, params: p, method: 'heun', stepSize: 0.1, gradient: 'backsolve' }), 'BAD_OPTION', /needs an ODE term/],
  ['interpolated nodes', () => interpolated({ nodes: 1 }), 'BAD_OPTION', /nodes must be an integer ≥ 2/],
  ['interpolated weights', () => interpolated({ weights: 'gauss' as never }), 'BAD_OPTION', /weights must be 'lobatto' or 'irdm-paper'/],
  ['quadrature points', () => quadrature({ points: 9 }), 'BAD_OPTION', /points must be an integer in 1 … 5/],
  ['reversible lambda', () => solveWithGradient(f, y0, { ...base, stepSize: 0.1, method: 'midpoint', gradient: reversible({ lambda: 1.5 }) }), 'BAD_OPTION', /λ \(lambda\) must be in \(0, 1\]/],
  ['reversible lambda on mali', () => solveWithGradient(f, y0, { ...base, stepSize: 0.1, method: 'mali', gradient: reversible({ lambda: 0.9 }) }), 'BAD_OPTION', /reversible by itself and takes none/],
  ['reversible saves', () => reversible({ saves: 'cubic' as never }), 'BAD_OPTION', /saves must be 'land' or 'linear'/],
  ['reversible on vcab3', () => solveWithGradient(f, y0, { ...base, method: 'vcab3', gradient: 'reversible' }), 'BAD_OPTION', /needs an explicit Runge–Kutta base solver/],
  ['loss not a function', () => valueAndGradient(42 as never, f, y0, base), 'BAD_ARGUMENT', /loss must be a function/],
  ['loss returns NaN', () => valueAndGradient(() => NaN, f, y0, base), 'NONFINITE', /the loss returned NaN/],
  ['loss throws', () => valueAndGradient(() => { throw new Error('oops'); }, f, y0, base), 'USER_FUNCTION', /the loss threw.*oops/],
  ['prepared run wrong y0', () => prepareSolve(f, base).run(Float64Array.of(1)), 'SHAPE', /y0 must be a Float64Array of length 2/],
  ['prepared run NaN params', () => prepareSolve(f, base).run(y0, Float64Array.of(NaN)), 'NONFINITE', /params/],
  ['stale prepared run', () => { const pre = prepareSolve(f, base); const a = pre.run(y0); pre.run(y0); return a.backward(new Float64Array(4)); }, 'BAD_ARGUMENT', /reused by a later run\(\)/],
  ['timeGradients on a control term', () => solveWithGradient(sumTerms(odeTerm(f), controlTerm({ ...g2, vjp: () => 0 }, X)), y0, { t1: 1, params: p, method: 'heun', stepSize: 0.1, timeGradients: true }).backward(new Float64Array(4)), 'BAD_OPTION', /timeGradients needs an ODE term/],
  // terms and paths
  ['odeTerm junk', () => odeTerm(null as never), 'BAD_ARGUMENT', /odeTerm: expected a VectorField/],
  ['controlTerm path dim', () => controlTerm(g2, linearPath([0, 1], [0, 1], 1)), 'SHAPE', /the path has dimension 1 but f's control dimension is 2/],
  ['controlTerm junk field', () => controlTerm({} as never, X), 'BAD_ARGUMENT', /f must be a MatrixField/],
  ['diagonal with wrong controlDim', () => diffusionTerm({ dim: 2, controlDim: 3, paramCount: 0, eval: () => {} }, brownianPath(0, 1, 4, 3, new Rng(0)), { diagonal: true }), 'SHAPE', /a diagonal field needs controlDim = dim/],
  ['linearPath times', () => linearPath([0, 0], [0, 1], 1), 'BAD_ARGUMENT', /strictly increasing/],
  ['linearPath values length', () => linearPath([0, 1], [0, 1, 2], 1), 'SHAPE', /xs has 3 numbers/],
  ['brownianPath span', () => brownianPath(1, 0, 4, 1, new Rng(0)), 'BAD_ARGUMENT', /need t0 < t1/],
  ['brownianPath steps', () => brownianPath(0, 1, 0, 1, new Rng(0)), 'BAD_ARGUMENT', /steps must be a positive integer/],
  ['sumTerms dims', () => sumTerms(odeTerm(f), odeTerm(fieldFromTrace((_t, y) => y, { shape: [3] }))), 'SHAPE', /term 1 .* has dim 3, term 0 has 2/],
  ['sumTerms empty', () => sumTerms(), 'BAD_ARGUMENT', /give at least one term/],
  ['sumTerms junk', () => sumTerms(odeTerm(f), 42 as never), 'BAD_ARGUMENT', /argument 1 is not a Term/],
  // solvers
  ['coupledSolver lambda', () => coupledSolver(tableaus.rk4, { lambda: 0 }), 'BAD_OPTION', /λ \(lambda\) must be in \(0, 1\]/],
  ['coupledSolver not a tableau', () => coupledSolver({} as never), 'BAD_OPTION', /must be an explicit Runge–Kutta tableau/],
  ['coupledSolver saves', () => coupledSolver(tableaus.rk4, { saves: 'x' as never }), 'BAD_OPTION', /saves must be 'land' or 'linear'/],
  ['mali eta ½', () => maliSolver(0.5), 'BAD_OPTION', /η must be positive and not ½/],
  ['tableau rows', () => defineTableau({ name: 'bad', order: 1, c: [0, 0.5], a: [[], [0.4]], b: [0.5, 0.5] }), 'BAD_ARGUMENT', /row 1 of a sums to 0.4 but c\[1\] = 0.5/],
  ['reversible fixed step without stepSize', () => solve(f, y0, { ...base, method: 'reversible-heun' }), 'BAD_OPTION', /fixed-step solves need stepSize/],
  ['unknown reversible base', () => solve(f, y0, { ...base, method: 'reversible-foo' }), 'UNKNOWN_NAME', /unknown method 'reversible-foo'/],
];

for (const [name, fn, code, phrase] of cases) test(`bad input: ${name}`, () => throwsTide(fn, code, phrase));

test('junk arguments to the solving, term and gradient-method entry points throw only TideErrors', () => {
  const junk: unknown[] = [null, undefined, 42, 'x', {}, [1, 2], NaN, () => 1];
  const entries: Array<[string, (...a: unknown[]) => unknown]> = [
    ['solve', solve as never], ['solveWithGradient', solveWithGradient as never], ['prepareSolve', prepareSolve as never],
    ['valueAndGradient', valueAndGradient as never], ['direct', direct as never], ['checkpoint', checkpoint as never],
    ['backsolve', backsolve as never], ['interpolated', interpolated as never], ['quadrature', quadrature as never],
    ['reversible', reversible as never], ['odeTerm', odeTerm as never], ['controlTerm', controlTerm as never],
    ['diffusionTerm', diffusionTerm as never], ['sumTerms', sumTerms as never], ['linearPath', linearPath as never],
    ['brownianPath', brownianPath as never], ['coupledSolver', coupledSolver as never], ['maliSolver', maliSolver as never],
    ['erkSolver', erkSolver as never], ['getSolver', getSolver as never], ['resolveSolver', resolveSolver as never],
    ['defineTableau', defineTableau as never],
    ['new PIController', ((a: never) => new PIController(a)) as never], ['new IController', ((a: never) => new IController(a)) as never],
    ['new ScipyController', ((a: never) => new ScipyController(a)) as never],
  ];
  let calls = 0;
  for (const [name, fn] of entries) {
    for (const a of junk) for (const b of [undefined, ...junk.slice(0, 4)]) for (const c of [undefined, { t1: 1 }, 42]) {
      calls++;
      try { fn(a, b, c); } catch (e) {
        if (!(e instanceof Error) || e.name !== 'TideError') throw new Error(`${name}(${String(a)}, ${String(b)}, ${String(c)}) threw a raw ${e instanceof Error ? e.name : typeof e}: ${String(e)}`);
      }
    }
  }
  if (calls < 500) throw new Error('sweep too small');
});
