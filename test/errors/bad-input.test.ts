/**
 * Bad input to the public API of nn, optim, train, autodiff, core arrays/random/fields, stability and problems:
 * every case is one call that must throw a TideError with the given code and key phrase (what was wrong, what was expected, how to fix it).
 * Tables, one row per case: [label, call, code, phrase].
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ops, trace, vjp, valueAndGrad, fieldFromTrace, fieldFromFunction, fieldFromModel,
  dense, mlp, chain, concatSquash, customModel, ActivationLayer, saveParams, loadParams, paramsToJson, zerosFor,
  checkModelParams, initDense, adam, adamw, sgd, optimizer, clipGradNorm, clipGradValue, gradNorm, fit,
  NDArray, shapeSize, allocate, Rng, TideError, stability, problems, euler, rk4,
} from '../../src/index.ts';
import type { Model, TideErrorCode, Var } from '../../src/index.ts';
import { throwsTide } from '../oracles/throws.ts';

type Row = [label: string, call: () => unknown, code: TideErrorCode, phrase: RegExp];

/** Runs each row as its own test. */
function table(name: string, rows: Row[]): void {
  describe(name, () => {
    for (const [label, call, code, phrase] of rows) test(label, () => throwsTide(call, code, phrase));
  });
}

// Arguments deliberately wrong at runtime: cast through never so the compiler lets them reach the checks.
const bad = (x: unknown): never => x as never;
const f64 = (...v: number[]): Float64Array => Float64Array.from(v);
/** Runs `body` inside a trace with x [2], m [2, 2] and s [] (scalar); the op under test throws there. */
const inTrace = (body: (v: { x: Var; m: Var; s: Var }) => unknown): (() => unknown) =>
  () => trace({ x: [2], m: [2, 2], s: [] }, (v) => { body(v); return ops.sum(v.x); });

table('autodiff ops', [
  ['add: null operand', inTrace(({ x }) => ops.add(bad(null), x)), 'BAD_ARGUMENT', /add: the first operand must be a Var .*got null/],
  ['mul: NaN number operand', inTrace(({ x }) => ops.mul(x, NaN)), 'NONFINITE', /mul: the second operand must be a finite number, got NaN/],
  ['sub: two numbers', inTrace(() => ops.sub(1, 2)), 'BAD_ARGUMENT', /sub: both operands are numbers/],
  ['div: a plain array operand', inTrace(({ x }) => ops.div(x, bad([1, 2]))), 'BAD_ARGUMENT', /div: the second operand must be a Var.*plain array of length 2.*ops\.constant/],
  ['exp: undefined', inTrace(() => ops.exp(bad(undefined))), 'BAD_ARGUMENT', /exp: x must be a Var .*got undefined/],
  ['tanh: a number', inTrace(() => ops.tanh(bad(3))), 'BAD_ARGUMENT', /tanh: x must be a Var.*got 3.*ops\.constant/],
  ['pow: NaN exponent', inTrace(({ x }) => ops.pow(x, NaN)), 'NONFINITE', /pow: the exponent p must be a finite number, got NaN/],
  ['scale: a string factor', inTrace(({ x }) => ops.scale(x, bad('2'))), 'BAD_ARGUMENT', /scale: the factor c must be a finite number, got '2'/],
  ['shift: Infinity', inTrace(({ x }) => ops.shift(x, Infinity)), 'NONFINITE', /shift: the offset c must be a finite number, got Infinity/],
  ['activation: unknown name with a suggestion', inTrace(({ x }) => ops.activation('tanhh', x)), 'UNKNOWN_NAME', /unknown activation 'tanhh'.*Did you mean 'tanh'/],
  ['activation: x missing', inTrace(() => ops.activation('relu', bad(undefined))), 'BAD_ARGUMENT', /relu: x must be a Var/],
  ['matmul: a number operand', inTrace(({ m }) => ops.matmul(m, bad(42))), 'BAD_ARGUMENT', /matmul: b must be a Var/],
  ['matmul: transA not boolean', inTrace(({ m }) => ops.matmul(m, m, bad('yes'))), 'BAD_ARGUMENT', /transA and transB must be true or false, got 'yes'/],
  ['matmul: vectors', inTrace(({ x }) => ops.matmul(x, x)), 'SHAPE', /matmul: both operands must be 2-D/],
  ['sum: an object', inTrace(() => ops.sum(bad({}))), 'BAD_ARGUMENT', /sum: x must be a Var .*got an object/],
  ['mean: null', inTrace(() => ops.mean(bad(null))), 'BAD_ARGUMENT', /mean: x must be a Var/],
  ['sumAxis: axis 2', inTrace(({ m }) => ops.sumAxis(m, bad(2))), 'BAD_ARGUMENT', /sumAxis: axis must be 0 or 1, got 2/],
  ['sumAxis: a vector', inTrace(({ x }) => ops.sumAxis(x, 0)), 'SHAPE', /sumAxis: expects a 2-D Var/],
  ['reshape: shape null', inTrace(({ x }) => ops.reshape(x, bad(null))), 'SHAPE', /reshape: a shape must be an array of non-negative integers/],
  ['reshape: wrong size', inTrace(({ x }) => ops.reshape(x, [3])), 'SHAPE', /cannot reshape \[2\] \(2 elements\) to \[3\]/],
  ['slice: fractional offset', inTrace(({ x }) => ops.slice(x, 0.5, 1)), 'SHAPE', /slice: offset must be an integer ≥ 0.*got 0\.5/],
  ['slice: past the end', inTrace(({ x }) => ops.slice(x, 1, [2])), 'SHAPE', /slice: range \[1, 3\) is outside a Var of 2 elements/],
  ['at: negative index', inTrace(({ x }) => ops.at(x, -1)), 'SHAPE', /range \[-1, 0\) is outside/],
  ['cols: a string start', inTrace(({ m }) => ops.cols(m, bad('a'))), 'SHAPE', /cols: start and count must be integers/],
  ['cols: past the last axis', inTrace(({ m }) => ops.cols(m, 1, 2)), 'SHAPE', /cols: columns \[1, 3\) are outside the last axis/],
  ['concat: empty', inTrace(() => ops.concat([])), 'BAD_ARGUMENT', /concat: expects a non-empty array of Vars/],
  ['concat: not an array', inTrace(({ x }) => ops.concat(bad(x))), 'BAD_ARGUMENT', /concat: expects a non-empty array of Vars, e\.g\. concat\(\[a, b\]\)/],
  ['concat: a null element', inTrace(({ x }) => ops.concat([x, bad(null)])), 'BAD_ARGUMENT', /concat: element 1 must be a Var/],
  ['constant: NaN', inTrace(() => ops.constant(NaN)), 'NONFINITE', /constant: the value is NaN; constants must be finite/],
  ['constant: an Infinity entry', inTrace(() => ops.constant([1, Infinity])), 'NONFINITE', /constant: value 1 is Infinity/],
  ['constant: null', inTrace(() => ops.constant(bad(null))), 'BAD_ARGUMENT', /constant: data must be a number, an NDArray or an array/],
  ['constant: values do not fit the shape', inTrace(() => ops.constant([1, 2, 3], [2])), 'SHAPE', /constant: 3 values do not fit shape \[2\]/],
  ['constant: NDArray with another shape', inTrace(() => ops.constant(NDArray.zeros([3]), [2])), 'SHAPE', /constant: 3 values do not fit shape \[2\]/],
  ['model: null model', inTrace(({ x }) => ops.model(bad(null), x, x)), 'BAD_ARGUMENT', /model: the first argument must be a model .*ops\.model\(net, params, x\)/],
  ['model: params of the wrong size', inTrace(({ x }) => ops.model(dense(2, 2), x, x)), 'SHAPE', /params has 2 elements; the model has 6 parameters/],
  ['model: x not a Var', inTrace(({ x }) => ops.model(dense(2, 1, { bias: false }), x, bad(f64(1, 2)))), 'BAD_ARGUMENT', /model\(dense\(2, 1\)\): x must be a Var.*Float64Array/],
  ['broadcast: incompatible shapes', inTrace(({ x, m }) => ops.add(x, ops.reshape(m, [4]))), 'SHAPE', /add: cannot broadcast \[2\] with \[4\]/],
  ['an op outside a trace', () => ops.neg(bad({})), 'BAD_ARGUMENT', /neg: tide ops build a graph and can only be called inside trace/],
  ['a Var kept from another trace', () => {
    let kept: Var | null = null;
    trace({ x: [2] }, ({ x }) => { kept = x; return ops.sum(x); });
    return trace({ y: [2] }, ({ y }) => ops.add(y, kept!));
  }, 'BAD_ARGUMENT', /a Var from another trace was used here/],
]);

const sumX = ({ x }: Record<string, Var>): Var => ops.sum(x);
const g2 = (): ReturnType<typeof trace> => trace({ x: [2], p: [1] }, ({ x }) => ops.scale(x, 2), { wrt: ['x'] });

table('trace, Graph, vjp, valueAndGrad', [
  ['trace: shapes null', () => trace(bad(null), sumX), 'BAD_ARGUMENT', /trace: the first argument must map input names to shapes/],
  ['trace: fn not a function', () => trace({ x: [2] }, bad(42)), 'BAD_ARGUMENT', /trace: the function must be a function .*got 42/],
  ['trace: option typo', () => trace({ x: [2] }, sumX, bad({ wtr: ['x'] })), 'BAD_OPTION', /trace: unknown option 'wtr'.*Did you mean 'wrt'/],
  ['trace: dtype int8', () => trace({ x: [2] }, sumX, { dtype: bad('int8') }), 'DTYPE', /trace: dtype must be 'float64' or 'float32', got 'int8'/],
  ['trace: fractional dimension', () => trace({ x: [2.5] }, sumX), 'SHAPE', /trace: input 'x': shape \[2\.5\] has a bad dimension 2\.5/],
  ['trace: wrt names a missing input', () => trace({ x: [2] }, sumX, { wrt: ['xx'] }), 'UNKNOWN_NAME', /wrt names 'xx', which is not an input.*Did you mean 'x'/],
  ['trace: wrt not an array', () => trace({ x: [2] }, sumX, { wrt: bad('x') }), 'BAD_OPTION', /wrt must be an array of input names/],
  ['trace: returns a number', () => trace({ x: [2] }, bad(() => 1)), 'BAD_ARGUMENT', /trace: the function must return a Var .*got number 1/],
  ['trace: the function throws', () => trace({ x: [2] }, () => { throw new Error('boom'); }), 'USER_FUNCTION', /trace: the traced function threw during trace: Error: boom/],
  ['Graph.bind: unknown input with a suggestion', () => g2().bind('xx', f64(1, 2)), 'UNKNOWN_NAME', /Graph: no input called 'xx'.*Did you mean 'x'/],
  ['Graph.bind: a plain array', () => g2().bind('x', bad([1, 2])), 'DTYPE', /Graph\.bind: input 'x' must be a Float64Array/],
  ['Graph.bind: wrong length', () => g2().bind('x', f64(1, 2, 3)), 'SHAPE', /Graph\.bind: input 'x' has 3 elements; the graph was traced for shape \[2\]/],
  ['Graph.bind: number for a vector input', () => g2().bind('x', 1), 'SHAPE', /a number fits only a scalar input/],
  ['Graph.bindGrad: a plain array', () => g2().bindGrad('x', bad([0, 0])), 'DTYPE', /Graph\.bindGrad: the buffer for 'x' must be a Float64Array of 2 elements/],
  ['Graph.bindGrad: input not in wrt', () => g2().bindGrad('p', f64(0)), 'BAD_ARGUMENT', /input 'p' is not differentiated/],
  ['Graph.backward: null cotangent', () => { const g = g2(); g.bind('x', f64(1, 2)).run(); g.backward(bad(null)); }, 'BAD_ARGUMENT', /Graph\.backward: the cotangent must be an array of 2 numbers/],
  ['Graph.backward: number for a vector output', () => { const g = g2(); g.bind('x', f64(1, 2)).run(); g.backward(1); }, 'SHAPE', /a number cotangent fits only a scalar output/],
  ['Graph.grad: input not differentiated', () => g2().grad('p'), 'BAD_ARGUMENT', /Graph\.grad: input 'p' is not differentiated/],
  ['Graph constructor is internal', () => new (trace({ x: [1] }, sumX).constructor as new (...a: unknown[]) => unknown)(null, null, null, null), 'BAD_ARGUMENT', /the constructor is internal/],
  ['vjp: not a function', () => vjp(bad(42)), 'BAD_ARGUMENT', /vjp: first argument must be a function of Vars/],
  ['vjp: a plain array input', () => vjp((x) => ops.sum(x), bad([1, 2])), 'DTYPE', /vjp: input 0 must be an NDArray, a Float64Array\/Float32Array or a number.*Float64Array\.from/],
  ['vjp: NaN input', () => vjp((x) => ops.sum(x), f64(1, NaN)), 'NONFINITE', /vjp: input 0\[1\] is NaN; inputs must be finite/],
  ['vjp: the function throws', () => vjp(() => { throw new RangeError('bad idx'); }, f64(1)), 'USER_FUNCTION', /vjp: the function threw during trace: RangeError: bad idx/],
  ['valueAndGrad: vector output', () => valueAndGrad((x) => ops.neg(x), f64(1, 2)), 'SHAPE', /valueAndGrad: the function must return a scalar, got shape \[2\]/],
  ['valueAndGrad: the function throws', () => valueAndGrad(() => { throw new TypeError('x is undefined'); }, 1), 'USER_FUNCTION', /valueAndGrad: the function threw during trace: TypeError: x is undefined/],
  ['valueAndGrad: not a function', () => valueAndGrad(bad('sum'), 1), 'BAD_ARGUMENT', /valueAndGrad: first argument must be a function/],
]);

const lv = (t: Var, y: Var, p: Var): Var => ops.mul(y, ops.at(p, 0));
const lvField = (): ReturnType<typeof fieldFromTrace> => fieldFromTrace(lv, { shape: [2], paramCount: 1, name: 'lv' });

table('fieldFromTrace', [
  ['no options', () => fieldFromTrace(lv, bad(undefined)), 'BAD_ARGUMENT', /fieldFromTrace: options with the state's shape are required, e\.g\. fieldFromTrace\(f, \{ shape: \[16, 2\], paramCount: 4 \}\)/],
  ['f null', () => fieldFromTrace(bad(null), { shape: 2 }), 'BAD_ARGUMENT', /fieldFromTrace: f must be a function \(t, y, p\) => Var/],
  ['a key typo', () => fieldFromTrace(lv, bad({ shape: 2, paramcount: 1 })), 'BAD_OPTION', /fieldFromTrace: unknown option 'paramcount'.*Did you mean 'paramCount'/],
  ['options a number', () => fieldFromTrace(lv, bad(2)), 'BAD_OPTION', /fieldFromTrace: options must be an object such as \{ shape: \[16, 2\], paramCount: 4 \}, got 2/],
  ['shape missing', () => fieldFromTrace(lv, bad({ paramCount: 1 })), 'BAD_OPTION', /fieldFromTrace: shape is required/],
  ['shape 0', () => fieldFromTrace(lv, { shape: 0 }), 'SHAPE', /shape must be a positive integer or an array such as \[16, 2\], got 0/],
  ['shape a string', () => fieldFromTrace(lv, { shape: bad('16x2') }), 'SHAPE', /got '16x2'/],
  ['shape with no elements', () => fieldFromTrace(lv, { shape: [0, 2] }), 'SHAPE', /shape \[0, 2\] has no elements/],
  ['paramCount negative', () => fieldFromTrace(lv, { shape: 2, paramCount: -1 }), 'SHAPE', /paramCount must be a non-negative integer, got -1/],
  ['name not a string', () => fieldFromTrace(lv, { shape: 2, name: bad(5) }), 'BAD_OPTION', /fieldFromTrace: name must be a string, got 5/],
  ['f returns the wrong shape', () => fieldFromTrace((_t, y) => ops.sum(y), { shape: [2] }), 'SHAPE', /f returned shape \[\] for y of shape \[2\]/],
  ['f throws while tracing', () => fieldFromTrace((_t, y) => (bad(y) as { foo: { bar: number } }).foo.bar as never, { shape: 2, name: 'lv' }), 'USER_FUNCTION', /fieldFromTrace \(lv\): f threw during trace: TypeError/],
  ['eval: y a plain array', () => lvField().eval(new Float64Array(2), 0, bad([1, 2]), f64(1)), 'DTYPE', /lv: y must be a Float64Array of length 2, got a plain array/],
  ['eval: y too short', () => lvField().eval(new Float64Array(2), 0, f64(1), f64(1)), 'SHAPE', /lv: y has length 1; the field was traced for shape \[2\]/],
  ['eval: out too short', () => lvField().eval(new Float64Array(1), 0, f64(1, 2), f64(1)), 'SHAPE', /lv: out has length 1/],
  ['eval: params missing', () => lvField().eval(new Float64Array(2), 0, f64(1, 2), bad(undefined)), 'DTYPE', /lv: params must be a Float64Array of length 1, got undefined/],
  ['vjp: dParams of the wrong length', () => lvField().vjp(new Float64Array(2), new Float64Array(3), f64(1, 1), 0, f64(1, 2), f64(1)), 'SHAPE', /lv: dParams has length 3/],
  ['vjp: v null', () => lvField().vjp(new Float64Array(2), null, bad(null), 0, f64(1, 2), f64(1)), 'DTYPE', /lv: v must be a Float64Array/],
  ['tape: zero slots', () => lvField().tape(0), 'BAD_ARGUMENT', /lv\.tape: slots must be an integer ≥ 1, got 0/],
  ['tape: a slot that does not exist', () => lvField().tape(2).eval(5, new Float64Array(2), 0, f64(1, 2), f64(1)), 'BAD_ARGUMENT', /lv: tape slot 5 does not exist; slots are 0 … 1/],
]);

const net = (): ReturnType<typeof mlp> => mlp([2, 3, 2]);
const ready = (m: Model = net(), batch = 1) => {
  const p = new Float64Array(m.paramCount); m.init(p, new Rng(1));
  return { m, p, ws: m.workspace(batch), x: new Float64Array(batch * m.inDim), out: new Float64Array(batch * m.outDim) };
};
const spec = { name: 'gated', inDim: 2, outDim: 2, params: [{ name: 'w', shape: [2, 2] }], forward: (x: Var, p: Record<string, Var>) => ops.matmul(x, p.w) };
/** A model written by hand (not by tide), whose apply or vjp throws. */
const userModel = (where: 'apply' | 'vjp'): Model => ({
  name: 'mine', inDim: 2, outDim: 2, paramCount: 0, paramNames: [], dtype: 'float64', timeDependent: false,
  init() { /* none */ }, workspace: (batch) => ({ batch }),
  apply(out, _p, x) { if (where === 'apply') throw new Error('apply failed'); out.set(x); return out; },
  vjp() { throw new Error('vjp failed'); },
});

table('nn layers and models', [
  ['dense: inDim 0', () => dense(0, 2), 'SHAPE', /dense: inDim must be a positive integer, got 0/],
  ['dense: outDim fractional', () => dense(2, 2.5), 'SHAPE', /dense: outDim must be a positive integer, got 2\.5/],
  ['dense: option typo', () => dense(2, 2, bad({ bais: false })), 'BAD_OPTION', /dense: unknown option 'bais'.*Did you mean 'bias'/],
  ['dense: bias a string', () => dense(2, 2, { bias: bad('no') }), 'BAD_OPTION', /dense: bias must be true or false, got 'no'/],
  ['dense: dtype int8', () => dense(2, 2, { dtype: bad('int8') }), 'DTYPE', /dense: dtype must be 'float64' or 'float32', got 'int8'/],
  ['dense: unknown init', () => dense(2, 2, { init: bad('xavier') }), 'UNKNOWN_NAME', /dense: unknown init scheme 'xavier'/],
  ['dense: options a number', () => dense(2, 2, bad(5)), 'BAD_OPTION', /dense: options must be an object such as \{ activation: 'tanh' \}, got 5/],
  ['mlp: one size', () => mlp([2]), 'SHAPE', /mlp: sizes must list at least the input and output widths/],
  ['mlp: sizes not an array', () => mlp(bad('2,3')), 'SHAPE', /mlp: sizes must list .* got '2,3'/],
  ['mlp: zero width', () => mlp([2, 0, 2]), 'SHAPE', /mlp: sizes\[1\] must be a positive integer \(a layer width\), got 0/],
  ['mlp: option typo', () => mlp([2, 3, 2], bad({ activaton: 'relu' })), 'BAD_OPTION', /mlp: unknown option 'activaton'.*Did you mean 'activation'/],
  ['mlp: finalInit typo', () => mlp([2, 3, 2], { finalInit: bad('zero') }), 'UNKNOWN_NAME', /unknown init scheme 'zero'.*Did you mean 'zeros'/],
  ['mlp: unknown activation', () => mlp([2, 3, 2], { activation: 'sigmod' }), 'UNKNOWN_NAME', /unknown activation 'sigmod'.*Did you mean 'sigmoid'/],
  ['chain: no layers', () => chain(), 'BAD_ARGUMENT', /chain: needs at least one layer/],
  ['chain: starts with an activation', () => chain('tanh'), 'BAD_ARGUMENT', /chain: entry 0 is the activation 'tanh', whose width is unknown/],
  ['chain: an object that is not a model', () => chain(dense(2, 3), bad({})), 'BAD_ARGUMENT', /chain: entry 1 is an object, not a model/],
  ['chain: widths do not match', () => chain(dense(2, 3), dense(4, 2)), 'SHAPE', /chain: layer 1 \(dense\(4, 2\)\) takes 4 inputs but layer 0 gives 3/],
  ['chain: unknown activation entry', () => chain(dense(2, 3), 'tanhh'), 'UNKNOWN_NAME', /unknown activation 'tanhh'/],
  ['concatSquash: option typo', () => concatSquash(2, 2, bad({ int: 'he' })), 'BAD_OPTION', /concatSquash: unknown option 'int'.*Did you mean 'init'/],
  ['concatSquash: negative size', () => concatSquash(-1, 2), 'SHAPE', /concatSquash: inDim and outDim must be positive integers, got -1, 2/],
  ['concatSquash: dtype', () => concatSquash(2, 2, { dtype: bad('float16') }), 'DTYPE', /concatSquash: dtype must be 'float64' or 'float32'/],
  ['ActivationLayer: dim 0', () => new ActivationLayer('relu', 0), 'SHAPE', /activation layer 'relu': dim must be a positive integer, got 0/],
  ['init: params too short', () => net().init(new Float64Array(3), new Rng(0)), 'SHAPE', /\.init: params has length 3; chain\(.*\) has 17 parameters\. Allocate with zerosFor/],
  ['init: a plain array', () => net().init(bad([1, 2, 3]), new Rng(0)), 'DTYPE', /\.init: params must be a Float64Array \(or Float32Array\) of length 17.*zerosFor/],
  ['init: rng a number', () => net().init(new Float64Array(17), bad(42)), 'BAD_ARGUMENT', /\.init: rng must be an Rng, e\.g\. model\.init\(params, new Rng\(42\)\), got 42/],
  ['dense init: too short', () => dense(2, 2).init(new Float64Array(5), new Rng(0)), 'SHAPE', /dense\(2, 2\)\.init: params has length 5; dense\(2, 2\) has 6 parameters/],
  ['concatSquash init: null params', () => concatSquash(2, 2).init(bad(null), new Rng(0)), 'DTYPE', /concatSquash\(2, 2\)\.init: params must be a Float64Array/],
  ['workspace: batch 0', () => net().workspace(0), 'SHAPE', /\.workspace: batch must be a positive integer \(the number of rows of x\), got 0/],
  ['workspace: dense batch fractional', () => dense(2, 2).workspace(1.5), 'SHAPE', /batch must be a positive integer.*got 1\.5/],
  ['apply: x of the wrong length', () => { const r = ready(); r.m.apply(r.out, r.p, new Float64Array(3), r.ws); }, 'SHAPE', /\.apply: x has length 3; expected batch 1 × 2 = 2 \(the workspace was made for this batch\)/],
  ['apply: params a plain array', () => { const r = ready(); r.m.apply(r.out, bad(Array.from(r.p)), r.x, r.ws); }, 'DTYPE', /\.apply: params must be a Float64Array \(or Float32Array\) of length 17.*Float64Array\.from/],
  ['apply: ws null', () => { const r = ready(); r.m.apply(r.out, r.p, r.x, bad(null)); }, 'BAD_ARGUMENT', /\.apply: ws must be a workspace from model\.workspace\(batch\), got null/],
  ['apply: out too long for the batch', () => { const r = ready(dense(2, 2)); r.m.apply(new Float64Array(4), r.p, r.x, r.ws); }, 'SHAPE', /dense\(2, 2\)\.apply: out has length 4; expected batch 1 × 2 = 2/],
  ['vjp: dX of the wrong length', () => { const r = ready(); r.m.apply(r.out, r.p, r.x, r.ws); r.m.vjp(null, new Float64Array(5), r.out, r.p, r.x, r.ws); }, 'SHAPE', /\.vjp: dX has length 5/],
  ['vjp: dParams a plain array', () => { const r = ready(dense(2, 2)); r.m.vjp(bad([0]), null, r.out, r.p, r.x, r.ws); }, 'DTYPE', /dense\(2, 2\)\.vjp: dParams must be a Float64Array.*Pass null to skip it/],
  ['concatSquash apply: t NaN', () => { const r = ready(concatSquash(2, 2)); r.m.apply(r.out, r.p, r.x, r.ws, NaN); }, 'NONFINITE', /concatSquash\(2, 2\)\.apply: t is NaN; t must be a finite number/],
  ['customModel: null spec', () => customModel(bad(null)), 'BAD_ARGUMENT', /customModel: expected a spec such as \{ inDim: 2/],
  ['customModel: a key typo', () => customModel(bad({ ...spec, foward: spec.forward })), 'BAD_OPTION', /customModel: unknown option 'foward'.*Did you mean 'forward'/],
  ['customModel: inDim 0', () => customModel({ ...spec, inDim: 0 }), 'SHAPE', /customModel \(gated\): inDim must be a positive integer, got 0/],
  ['customModel: forward not a function', () => customModel({ ...spec, forward: bad('matmul') }), 'BAD_ARGUMENT', /customModel \(gated\): forward must be a function \(x, p, t\) => Var/],
  ['customModel: init not a function', () => customModel({ ...spec, init: bad(0.1) }), 'BAD_ARGUMENT', /customModel \(gated\): init must be a function/],
  ['customModel: params not an array', () => customModel({ ...spec, params: bad({ w: [2, 2] }) }), 'BAD_OPTION', /params must be an array of named blocks such as \[\{ name: 'w', shape: \[2, 2\] \}\]/],
  ['customModel: a block without a name', () => customModel({ ...spec, params: [bad({ shape: [2] })] }), 'BAD_OPTION', /params\[0\] must be \{ name: string, shape: number\[\] \}/],
  ['customModel: duplicate block names', () => customModel({ ...spec, params: [{ name: 'w', shape: [2, 2] }, { name: 'w', shape: [2] }] }), 'BAD_OPTION', /two parameter blocks are called 'w'/],
  ['customModel: a bad block shape', () => customModel({ ...spec, params: [{ name: 'w', shape: [2, -2] }] }), 'SHAPE', /param 'w': shape \[2, -2\] has a bad dimension -2/],
  ['customModel: name not a string', () => customModel({ ...spec, name: bad(1) }), 'BAD_OPTION', /customModel: name must be a string, got 1/],
  ['customModel: forward throws while tracing', () => customModel({ ...spec, forward: () => { throw new Error('no such block'); } }).workspace(1), 'USER_FUNCTION', /customModel \(gated\): forward threw during trace: Error: no such block/],
  ['customModel: forward returns the wrong shape', () => customModel({ ...spec, forward: (x) => ops.sum(x) }).workspace(3), 'SHAPE', /gated: forward returned shape \[\]; expected \[3, 2\]/],
  ['customModel: init throws', () => customModel({ ...spec, init: () => { throw new Error('init broke'); } }).init(new Float64Array(4), new Rng(0)), 'USER_FUNCTION', /customModel \(gated\): init threw during init: Error: init broke/],
  ['fieldFromModel: null', () => fieldFromModel(bad(null)), 'BAD_ARGUMENT', /fieldFromModel: expected a model such as mlp\(\[2, 50, 2\]\).*got null/],
  ['fieldFromModel: a function', () => fieldFromModel(bad(() => 0)), 'BAD_ARGUMENT', /fieldFromModel: expected a model .*got a function/],
  ['fieldFromModel: inDim ≠ outDim', () => fieldFromModel(mlp([2, 4, 3])), 'SHAPE', /maps 2 to 3 dimensions/],
  ['fieldFromModel: batch 0', () => fieldFromModel(net(), 0), 'SHAPE', /fieldFromModel: batch must be a positive integer, got 0/],
  ['fieldFromModel (float32 model) eval: y a Float32Array', () => fieldFromModel(mlp([2, 3, 2], { dtype: 'float32' })).eval(new Float64Array(2), 0, bad(new Float32Array(2)), new Float64Array(17)), 'DTYPE', /field: y must be a Float64Array of length 2, got a Float32Array.*keeps the solver's state and parameters in float64/],
  ['fieldFromModel eval: params a plain array', () => fieldFromModel(net()).eval(new Float64Array(2), 0, f64(1, 2), bad([1, 2])), 'DTYPE', /field: params must be a Float64Array of length 17, got a plain array/],
  ['fieldFromModel eval: y too long', () => fieldFromModel(net(), 2).eval(new Float64Array(4), 0, new Float64Array(6), new Float64Array(17)), 'SHAPE', /field: y has length 6; expected batch 2 × 2 = 4/],
  ['fieldFromModel vjp: dY null', () => fieldFromModel(net()).vjp(bad(null), null, f64(1, 1), 0, f64(1, 2), new Float64Array(17)), 'DTYPE', /field: dY must be a Float64Array/],
  ['fieldFromModel: a user model whose apply throws', () => fieldFromModel(userModel('apply')).eval(new Float64Array(2), 0.5, f64(1, 2), new Float64Array(0)), 'USER_FUNCTION', /fieldFromModel \(mine\): model mine threw during forward \(apply\): Error: apply failed/],
  ['fieldFromModel: a user model whose vjp throws', () => fieldFromModel(userModel('vjp')).vjp(new Float64Array(2), null, f64(1, 1), 0, f64(1, 2), new Float64Array(0)), 'USER_FUNCTION', /model mine threw during vjp: Error: vjp failed/],
  ['ops.model: a user model whose apply throws', () => fieldFromTrace((_t, y, p) => ops.model(userModel('apply'), p, y), { shape: [1, 2] }).eval(new Float64Array(2), 0, f64(1, 2), new Float64Array(0)), 'USER_FUNCTION', /ops\.model: model mine threw during forward \(apply\): Error: apply failed/],
  ['ops.model: a user model whose vjp throws', () => fieldFromTrace((_t, y, p) => ops.model(userModel('vjp'), p, y), { shape: [1, 2] }).vjp(new Float64Array(2), null, f64(1, 1), 0, f64(1, 2), new Float64Array(0)), 'USER_FUNCTION', /ops\.model: model mine threw during vjp/],
  ['zerosFor: null', () => zerosFor(bad(null)), 'BAD_ARGUMENT', /zerosFor: expected a model/],
  ['checkModelParams: no model', () => checkModelParams('train', bad(undefined), new Float64Array(1)), 'BAD_ARGUMENT', /train: expected a model .*got undefined/],
  ['initDense: weight too short', () => initDense(new Float64Array(3), null, 2, 2, 'pytorch', new Rng(0)), 'SHAPE', /initDense: weight must be a Float64Array \(or Float32Array\) of outDim × inDim = 4 entries/],
  ['initDense: unknown scheme', () => initDense(new Float64Array(4), null, 2, 2, bad('kaiming'), new Rng(0)), 'UNKNOWN_NAME', /initDense: unknown init scheme 'kaiming'/],
  ['initDense: no rng', () => initDense(new Float64Array(4), new Float64Array(2), 2, 2, 'he', bad(undefined)), 'BAD_ARGUMENT', /initDense: rng must be an Rng/],
]);

/** A saved file of mlp([2, 3, 2]) with one field changed. */
const savedWith = (patch: Record<string, unknown>): string => {
  const m = net(), p = new Float64Array(m.paramCount);
  return JSON.stringify({ ...JSON.parse(saveParams(m, p)), ...patch });
};
const blocksOf = (): unknown[] => JSON.parse(saveParams(net(), new Float64Array(17))).blocks;

table('saveParams / loadParams', [
  ['save: a plain array', () => saveParams(net(), bad(new Array(17).fill(0))), 'DTYPE', /saveParams: params must be a Float64Array.*Float64Array\.from/],
  ['save: too short', () => saveParams(net(), new Float64Array(3)), 'SHAPE', /saveParams: params has 3 entries; chain\(.*\) has 17/],
  ['save: NaN', () => saveParams(net(), new Float64Array(17).fill(NaN)), 'NONFINITE', /saveParams: params\[0\] is NaN; only finite parameters can be saved/],
  ['save: no model', () => saveParams(bad(null), new Float64Array(1)), 'BAD_ARGUMENT', /saveParams: the first argument must be the model/],
  ['paramsToJson: a plain array', () => paramsToJson(net(), bad([0])), 'DTYPE', /paramsToJson: params must be a Float64Array/],
  ['load: dtype int8', () => loadParams(net(), savedWith({ dtype: 'int8' })), 'DTYPE', /loadParams: the file's dtype is 'int8'; tide parameter files are 'float64' or 'float32'/],
  ['load: a wrong paramCount', () => loadParams(net(), savedWith({ paramCount: 99 })), 'SHAPE', /loadParams: the file has paramCount 99 .*has 17 parameters/],
  ['load: another format version', () => loadParams(net(), savedWith({ version: 2 })), 'PARSE', /loadParams: the file has format version 2; this tide reads version 1/],
  ['load: a null block', () => loadParams(net(), savedWith({ blocks: [null] })), 'PARSE', /loadParams: blocks\[0\] is null; every block must be \{ name, shape, values \}/],
  ['load: a duplicate block', () => loadParams(net(), savedWith({ blocks: [...blocksOf(), blocksOf()[0]] })), 'PARSE', /two blocks called 'layers\.0\.weight'/],
  ['load: a number', () => loadParams(net(), bad(42)), 'PARSE', /loadParams: not a tide parameter file .*got 42/],
  ['load: not JSON', () => loadParams(net(), '{oops'), 'PARSE', /loadParams: the text is not valid JSON/],
  ['load: a null value (saved NaN)', () => {
    const b = blocksOf() as { values: unknown[] }[]; b[0].values[3] = null;
    return loadParams(net(), savedWith({ blocks: b }));
  }, 'NONFINITE', /block 'layers\.0\.weight' value 3 is null; parameters must be finite numbers/],
  ['load: no model', () => loadParams(bad(undefined), '{}'), 'BAD_ARGUMENT', /loadParams: the first argument must be the model/],
]);

table('optimizers and clipping', [
  ['step: NaN in params', () => adam().step(f64(1, NaN), f64(1, 1)), 'NONFINITE', /adam: params\[1\] is NaN before update 1 \(stepCount = 0\); params were left unchanged\. Check the initialisation/],
  ['step: Infinity in params after updates', () => { const o = sgd({ lr: 0.1 }); const p = f64(1, 2); o.step(p, f64(1, 1)); p[0] = Infinity; o.step(p, f64(1, 1)); }, 'NONFINITE', /sgd: params\[0\] is Infinity before update 2.*An earlier update or the code between updates diverged/],
  ['step: params a plain array', () => adam().step(bad([1, 2]), f64(1, 1)), 'DTYPE', /adam\.step: params must be a Float64Array \(updated in place\), got a plain array of length 2\. Convert once/],
  ['step: grads null', () => sgd().step(f64(1), bad(null)), 'DTYPE', /sgd\.step: grads must be a Float64Array .*got null/],
  ['step: params undefined', () => adamw().step(bad(undefined), f64(1)), 'DTYPE', /adamw\.step: params must be a Float64Array/],
  ['step: Float32Array params, Float64Array grads', () => adam().step(bad(new Float32Array(2)), f64(1, 1)), 'DTYPE', /adam\.step: params is a Float32Array but grads a Float64Array; both must be Float64Arrays, or both Float32Arrays/],
  ['optimizer: a non-string name', () => optimizer(bad(42)), 'UNKNOWN_NAME', /optimizer: unknown optimizer '42'/],
  ['adamw: option typo', () => adamw(bad({ weightdecay: 1e-4 })), 'BAD_OPTION', /adamw: unknown option 'weightdecay'.*Did you mean 'weightDecay'/],
  ['clipGradNorm: a plain array', () => clipGradNorm(bad([1, 2]), 1), 'DTYPE', /clipGradNorm: grads must be a Float64Array.*Float64Array\.from/],
  ['clipGradValue: null', () => clipGradValue(bad(null), 1), 'DTYPE', /clipGradValue: grads must be a Float64Array .*got null/],
  ['clipGradNorm: maxNorm a string', () => clipGradNorm(f64(1), bad('1')), 'BAD_ARGUMENT', /clipGradNorm: maxNorm must be a finite number > 0, got '1'/],
  ['gradNorm: a string', () => gradNorm(bad('x')), 'DTYPE', /gradNorm: grads must be a Float64Array .*got 'x'/],
]);

const decay = fieldFromTrace((_t, y, p) => ops.mul(ops.neg(y), ops.at(p, 0)), { shape: 1, paramCount: 1, name: 'decay' });
const fitOk = () => ({
  field: decay, y0: f64(1), params: f64(0.5), solve: { t1: 1, method: 'rk4', stepSize: 0.5 },
  loss: (ys: Readonly<Float64Array>, dYs: Float64Array) => { dYs[ys.length - 1] = 1; return ys[ys.length - 1]; },
  optimizer: sgd({ lr: 0.01 }), steps: 1,
});
const fitWith = (patch: Record<string, unknown>) => () => fit(bad({ ...fitOk(), ...patch }));

table('fit', [
  ['no options', () => fit(bad(undefined)), 'BAD_OPTION', /fit: expected options such as \{ field, y0, params, solve: \{ t1: 1 \}, loss, optimizer: adam\(\), steps: 100 \}/],
  ['options a string', () => fit(bad('train')), 'BAD_OPTION', /fit: options must be an object/],
  ['a key typo', fitWith({ optimiser: sgd() }), 'BAD_OPTION', /fit: unknown option 'optimiser'.*Did you mean 'optimizer'/],
  ['no optimizer', fitWith({ optimizer: undefined }), 'BAD_OPTION', /fit: optimizer is required/],
  ['optimizer not an optimizer', fitWith({ optimizer: {} }), 'BAD_OPTION', /fit: optimizer must be an optimizer such as adam\(\{ lr: 1e-3 \}\).*got an object/],
  ['optimizer a name', fitWith({ optimizer: 'adam' }), 'BAD_OPTION', /fit: optimizer must be an optimizer .*got 'adam'/],
  ['loss not a function', fitWith({ loss: 'mse' }), 'BAD_ARGUMENT', /fit: loss must be a function \(ys, dYs\) => number/],
  ['steps fractional', fitWith({ steps: 1.5 }), 'BAD_OPTION', /fit: steps must be a non-negative integer, got 1\.5/],
  ['params a plain array', fitWith({ params: [0.5] }), 'DTYPE', /fit: params must be a Float64Array \(trained in place\), got a plain array of length 1/],
  ['y0 null', fitWith({ y0: null }), 'DTYPE', /fit: y0 must be a Float64Array, got null/],
  ['solve a number', fitWith({ solve: 5 }), 'BAD_OPTION', /fit: solve must be an object of solve options/],
  ['onStep not a function', fitWith({ onStep: 5 }), 'BAD_ARGUMENT', /fit: onStep must be a function/],
  ['the loss throws', fitWith({ loss: () => { throw new Error('bad target'); } }), 'USER_FUNCTION', /fit: the loss threw during step 0: Error: bad target/],
  ['the loss returns a string', fitWith({ loss: () => '0.1' }), 'BAD_ARGUMENT', /fit: the loss must return a number \(L\), got '0\.1' at step 0/],
  ['the loss writes NaN into dYs', fitWith({ loss: (_ys: unknown, d: Float64Array) => { d[0] = NaN; return 1; } }), 'NONFINITE', /fit: the loss wrote NaN into dYs\[0\] at step 0/],
  ['onStep throws', fitWith({ onStep: () => { throw new Error('log full'); } }), 'USER_FUNCTION', /fit: onStep threw during step 0: Error: log full/],
]);

const rng = (): Rng => new Rng(1);
const f = (o: Float64Array): void => { o[0] = 0; };

table('core arrays, random numbers and plain fields', [
  ['NDArray: plain data', () => new NDArray(bad([1, 2]), [2]), 'DTYPE', /NDArray: data must be a Float64Array or Float32Array, got a plain array of length 2\. For nested or plain arrays use NDArray\.from/],
  ['NDArray: data does not fit the shape', () => new NDArray(new Float64Array(3), [2]), 'SHAPE', /NDArray: data has 3 elements but shape \[2\] needs 2/],
  ['NDArray.zeros: shape null', () => NDArray.zeros(bad(null)), 'SHAPE', /NDArray\.zeros: a shape must be an array of non-negative integers/],
  ['NDArray.from: null', () => NDArray.from(bad(null)), 'BAD_ARGUMENT', /NDArray\.from: values must be a number or \(nested\) plain arrays/],
  ['NDArray.from: a typed array', () => NDArray.from(bad(f64(1))), 'BAD_ARGUMENT', /NDArray\.from: values must be .*Wrap a typed array with new NDArray/],
  ['NDArray.from: ragged', () => NDArray.from([[1, 2], [3]]), 'SHAPE', /nested arrays must be rectangular/],
  ['NDArray.from: a string element', () => NDArray.from(['a']), 'BAD_ARGUMENT', /NDArray\.from: element 0 is string a, expected a number/],
  ['NDArray.get: too few indices', () => NDArray.zeros([2, 2]).get(1), 'SHAPE', /NDArray index has 1 entries for shape \[2, 2\]/],
  ['NDArray.get: out of range', () => NDArray.zeros([2]).get(2), 'SHAPE', /NDArray index 2 out of range for axis 0 of size 2/],
  ['NDArray.set: value not a number', () => NDArray.zeros([2]).set(bad('x'), 0), 'BAD_ARGUMENT', /NDArray\.set: the value \(first argument\) must be a number/],
  ['shapeSize: negative dimension', () => shapeSize([2, -1]), 'SHAPE', /shape \[2, -1\] has a bad dimension -1/],
  ['shapeSize: a number', () => shapeSize(bad(3)), 'SHAPE', /a shape must be an array .* got 3/],
  ['allocate: int8', () => allocate(bad('int8'), 2), 'DTYPE', /unknown dtype 'int8'; expected 'float64' or 'float32'/],
  ['allocate: negative length', () => allocate('float64', -1), 'SHAPE', /allocate: n must be an integer ≥ 0/],
  ['Rng: a string seed', () => new Rng(bad('5')), 'BAD_ARGUMENT', /Rng: seed must be a finite number, got '5'/],
  ['Rng: NaN seed', () => new Rng(NaN), 'BAD_ARGUMENT', /Rng: seed must be a finite number, got NaN/],
  ['Rng.int: n 0', () => rng().int(0), 'BAD_ARGUMENT', /Rng\.int: n must be an integer in \[1, 2\^53\]/],
  ['Rng.fillUniform: a plain array', () => rng().fillUniform(bad([0, 0])), 'DTYPE', /Rng\.fillUniform: out must be a Float64Array or Float32Array to fill in place/],
  ['Rng.fillUniform: lo > hi', () => rng().fillUniform(new Float64Array(2), 1, 0), 'BAD_ARGUMENT', /the bounds must be finite numbers with lo ≤ hi, got lo 1 and hi 0/],
  ['Rng.fillNormal: negative std', () => rng().fillNormal(new Float64Array(2), 0, -1), 'BAD_ARGUMENT', /Rng\.fillNormal: mean must be a finite number and std a finite number ≥ 0/],
  ['Rng.uniformIn: NaN', () => rng().uniformIn(NaN, 1), 'BAD_ARGUMENT', /Rng\.uniformIn: the bounds must be finite/],
  ['fieldFromFunction: f null', () => fieldFromFunction(bad(null), 2), 'BAD_ARGUMENT', /fieldFromFunction: f must be a function/],
  ['fieldFromFunction: dim 0', () => fieldFromFunction(f, 0), 'SHAPE', /fieldFromFunction: dim must be a positive integer/],
  ['fieldFromFunction: paramCount -1', () => fieldFromFunction(f, 1, -1), 'SHAPE', /fieldFromFunction: paramCount must be a non-negative integer/],
  ['fieldFromFunction: name a number', () => fieldFromFunction(f, 1, 0, bad(5)), 'BAD_ARGUMENT', /fieldFromFunction: name must be a string/],
]);

const S = stability;
table('stability', [
  ['realStabilityIntervals: n = 1e9 is refused at once', () => S.realStabilityIntervals(euler, 0.5, { n: 1e9 }), 'BAD_OPTION', /n = 1000000000 sample points is more than the limit 10000000 .*~30 s/],
  ['realStabilityIntervals: option typo', () => S.realStabilityIntervals(euler, 0.5, bad({ nn: 5 })), 'BAD_OPTION', /unknown option 'nn'.*Did you mean 'n'/],
  ['realStabilityIntervals: λ 1.5', () => S.realStabilityIntervals(euler, 1.5), 'BAD_OPTION', /realStabilityIntervals: λ must be in \(0, 1\], got 1\.5/],
  ['realStabilityIntervals: tol Infinity', () => S.realStabilityIntervals(euler, 0.5, { tol: Infinity }), 'BAD_OPTION', /tol must be a finite number > 0, got Infinity/],
  ['realStabilityIntervals: empty range', () => S.realStabilityIntervals(euler, 0.5, { min: 0, max: -1 }), 'BAD_OPTION', /the range \[0, -1\] must be finite with min < max/],
  ['realStabilityIntervals: n 1', () => S.realStabilityIntervals(euler, 0.5, { n: 1 }), 'BAD_OPTION', /n must be an integer ≥ 2 \(sample points\), got 1/],
  ['realStabilityIntervals: base null', () => S.realStabilityIntervals(bad(null), 0.5), 'BAD_ARGUMENT', /expected a tableau \(e\.g\. rk4\) or stability polynomial coefficients .*got null/],
  ['realStabilityIntervals: options null', () => S.realStabilityIntervals(euler, 0.5, bad(null)), 'BAD_OPTION', /realStabilityIntervals: options must be an object such as \{ min: -4, max: 0 \}, got null/],
  ['stabilityRegion: nRe 0', () => S.stabilityRegion(euler, 0.5, { nRe: 0 }), 'BAD_OPTION', /stabilityRegion: nRe must be a positive integer, got 0/],
  ['stabilityRegion: option typo', () => S.stabilityRegion(euler, 0.5, bad({ nre: 5 })), 'BAD_OPTION', /unknown option 'nre'.*Did you mean 'nRe'/],
  ['stabilityRegion: too many points', () => S.stabilityRegion(euler, 0.5, { nRe: 5000, nIm: 5000 }), 'BAD_OPTION', /5000 × 5000 = 25000000 points is more than 16777216/],
  ['stabilityRegion: one huge axis', () => S.stabilityRegion(euler, 0.5, { nRe: 1e8, nIm: 1 }), 'BAD_OPTION', /nRe = 100000000 is more than 16777216 points/],
  ['stabilityRegion: reversed range', () => S.stabilityRegion(euler, 0.5, { reMin: 1, reMax: 0 }), 'BAD_OPTION', /the Re range \[1, 0\] must be finite with reMin < reMax/],
  ['stabilityRegion: grid null', () => S.stabilityRegion(euler, 0.5, bad(null)), 'BAD_OPTION', /stabilityRegion: options must be an object/],
  ['stabilityPolynomial: null', () => S.stabilityPolynomial(bad(null)), 'BAD_ARGUMENT', /stabilityPolynomial: expected a tableau such as rk4/],
  ['stabilityPolynomial: no weights', () => S.stabilityPolynomial(bad({ name: 'x', a: [] })), 'BAD_ARGUMENT', /tableau 'x' has no weights b/],
  ['evalR: null coefficients', () => S.evalR(bad(null), 0, 0), 'BAD_ARGUMENT', /evalR: expected stability polynomial coefficients such as \[1, 1, 1\/2\]/],
  ['evalR: NaN re', () => S.evalR([1, 1], NaN, 0), 'BAD_ARGUMENT', /evalR: re and im must be finite numbers/],
  ['evalR: out too short', () => S.evalR([1, 1], 0, 0, new Float64Array(1)), 'BAD_ARGUMENT', /evalR: out must be a Float64Array of at least 2 entries/],
  ['couplingMatrix: z of three numbers', () => S.couplingMatrix([1, 1], 0.5, [1, 2, 3]), 'BAD_ARGUMENT', /couplingMatrix: z must be a number or an \[re, im\] pair, got an array of 3/],
  ['couplingMatrix: a NaN coefficient', () => S.couplingMatrix([1, NaN], 0.5, 0), 'BAD_ARGUMENT', /stability polynomial coefficient 1 is NaN/],
  ['couplingMatrix: out a plain array', () => S.couplingMatrix(rk4, 0.5, 0, bad([])), 'BAD_ARGUMENT', /couplingMatrix: out must be a Float64Array of at least 8 entries/],
  ['isStable: no coefficients', () => S.isStable([], 0.5, 0), 'BAD_ARGUMENT', /the stability polynomial has no coefficients/],
  ['couplingSpectralRadius: λ 0', () => S.couplingSpectralRadius(rk4, 0, 0), 'BAD_OPTION', /λ must be in \(0, 1\], got 0/],
  ['olderSchemeMatrix: a typo', () => S.olderSchemeMatrix(bad('alff'), 0), 'UNKNOWN_NAME', /unknown scheme 'alff'.*Did you mean 'alf'/],
  ['olderSchemeSpectralRadius: NaN z', () => S.olderSchemeSpectralRadius('mali', NaN), 'BAD_ARGUMENT', /z = NaN \+ 0i must be finite/],
  ['slidesStabilityFigure: option typo', () => S.slidesStabilityFigure(bad({ lamda: 0.5 })), 'BAD_OPTION', /slidesStabilityFigure: unknown option 'lamda'.*Did you mean 'lambda'/],
  ['stabilityFigureToJSON: null', () => S.stabilityFigureToJSON(bad(null)), 'BAD_ARGUMENT', /stabilityFigureToJSON: expected the result of slidesStabilityFigure/],
  ['stabilityRegionToJSON: an object', () => S.stabilityRegionToJSON(bad({})), 'BAD_ARGUMENT', /stabilityRegionToJSON: expected the result of stabilityRegion/],
]);

const P = problems;
table('problems', [
  ['mseLoss: a plain array', () => P.mseLoss(bad([1, 2])), 'DTYPE', /mseLoss: target must be a Float64Array \(the data's ys\).*Float64Array\.from/],
  ['mseLoss: NaN target', () => P.mseLoss(f64(1, NaN)), 'NONFINITE', /mseLoss: target\[1\] is NaN; targets must be finite/],
  ['mseLoss: empty target', () => P.mseLoss(new Float64Array(0)), 'SHAPE', /mseLoss: target is empty/],
  ['mse loss: predictions too short', () => P.mseLoss(f64(1, 2))(f64(1)), 'SHAPE', /mse loss: predictions have length 1; the targets have 2/],
  ['mse loss: ys a plain array', () => P.mseLoss(f64(1, 2))(bad([1, 2])), 'DTYPE', /mse loss: ys and dYs must be Float64Arrays of length 2/],
  ['linspace: n 0', () => P.linspace(0, 1, 0), 'BAD_ARGUMENT', /linspace: n must be an integer ≥ 1, got 0/],
  ['linspace: NaN end', () => P.linspace(0, NaN, 5), 'BAD_ARGUMENT', /linspace: the ends must be finite numbers/],
  ['stepGrid: 0 steps', () => P.stepGrid(1, 0), 'BAD_ARGUMENT', /stepGrid: steps must be an integer ≥ 1, got 0/],
  ['stepGrid: t1 undefined', () => P.stepGrid(bad(undefined), 5), 'BAD_ARGUMENT', /stepGrid: t1 must be a finite number, got undefined/],
  ['neuralField: null field', () => P.neuralField(bad(null), net()), 'BAD_ARGUMENT', /neuralField: field must be a VectorField with a vjp/],
  ['neuralField: a net of another size', () => P.neuralField(fieldFromModel(net()), mlp([2, 4, 2])), 'SHAPE', /neuralField: the network .* has 22 parameters but the field has 17/],
  ['neuralField: no net', () => P.neuralField(fieldFromModel(net()), bad(undefined)), 'BAD_ARGUMENT', /neuralField: expected a model/],
  ['NeuralField.init: wrong length', () => P.neuralSpiralField(1, 4).init(new Float64Array(3), new Rng(0)), 'SHAPE', /neural spiral: init got params of length 3; the field has 22 parameters/],
  ['NeuralField.init: no rng', () => P.neuralSpiralField(1, 4).init(new Float64Array(22), bad(7)), 'BAD_ARGUMENT', /neural spiral: init needs an Rng/],
  ['trainingOptimizer: null', () => P.trainingOptimizer(bad(null)), 'BAD_ARGUMENT', /trainingOptimizer: expected a problem's training settings/],
  ['trainingOptimizer: another optimizer', () => P.trainingOptimizer(bad({ optimizer: 'adam', lr: 1, weightDecay: 0, steps: 1 })), 'BAD_OPTION', /trainingOptimizer: the settings name optimizer 'adam'/],
  ['baseMethod: a number', () => P.baseMethod(bad(42)), 'BAD_ARGUMENT', /baseMethod: expected a method name \('euler', 'midpoint', 'ralston3', 'rk4'\), a tableau or a Solver, got 42/],
  ['spiralField: batch 0', () => P.spiralField(0), 'SHAPE', /spiralField: batch must be an integer ≥ 1, got 0/],
  ['neuralSpiralField: hidden 0', () => P.neuralSpiralField(1, 0), 'SHAPE', /neuralSpiralField: hidden must be an integer ≥ 1, got 0/],
  ['spiralData: option typo', () => P.spiralData(bad({ point: 10 })), 'BAD_OPTION', /spiralData: unknown option 'point'.*Did you mean 'points'/],
  ['spiralData: points 1', () => P.spiralData({ points: 1 }), 'BAD_OPTION', /spiralData: points must be an integer ≥ 2, got 1/],
  ['spiralData: t1 negative', () => P.spiralData({ t1: -5 }), 'BAD_OPTION', /spiralData: t1 must be a finite number > 0 \(the end time\), got -5/],
  ['whiteDwarfField: option typo', () => P.whiteDwarfField(bad({ learnc: true })), 'BAD_OPTION', /whiteDwarfField: unknown option 'learnc'.*Did you mean 'learnC'/],
  ['whiteDwarfField: learnC a string', () => P.whiteDwarfField({ learnC: bad('yes') }), 'BAD_OPTION', /learnC must be true or false, got 'yes'/],
  ['whiteDwarfData: option typo', () => P.whiteDwarfData('midpoint', bad({ step: 10 })), 'BAD_OPTION', /whiteDwarfData: unknown option 'step'.*Did you mean 'steps'/],
  ['whiteDwarfData: method null', () => P.whiteDwarfData(bad(null)), 'BAD_ARGUMENT', /baseMethod: expected a method name/],
  ['whiteDwarfModel: batch -1', () => P.whiteDwarfModel(-1), 'SHAPE', /whiteDwarfModel: batch must be an integer ≥ 1/],
  ['whiteDwarfProblem: trainingSteps -1', () => P.whiteDwarfProblem({ trainingSteps: -1 }), 'BAD_OPTION', /whiteDwarfProblem: trainingSteps must be an integer ≥ 0, got -1/],
  ['coupledOscillatorData: t1 -1', () => P.coupledOscillatorData({ t1: -1 }), 'BAD_OPTION', /coupledOscillatorData: t1 must be a finite number > 0/],
  ['coupledOscillatorProblem: option typo', () => P.coupledOscillatorProblem(bad({ methd: 'rk4' })), 'BAD_OPTION', /unknown option 'methd'.*Did you mean 'method'/],
  ['coupledOscillatorField: batch 1.5', () => P.coupledOscillatorField(1.5), 'SHAPE', /coupledOscillatorField: batch must be an integer ≥ 1, got 1\.5/],
  ['doublePendulumField: scale 0', () => P.doublePendulumField(1, 0), 'BAD_OPTION', /doublePendulumField: scale must be a finite number > 0, got 0/],
  ['doublePendulumData: scale -1', () => P.doublePendulumData({ scale: -1 }), 'BAD_OPTION', /doublePendulumData: scale must be a finite number > 0, got -1/],
  ['doublePendulumProblem: option typo', () => P.doublePendulumProblem(bad({ trainingstep: 5 })), 'BAD_OPTION', /unknown option 'trainingstep'.*Did you mean 'trainingSteps'/],
  ['doublePendulumModel: batch 0', () => P.doublePendulumModel(0), 'SHAPE', /doublePendulumModel: batch must be an integer ≥ 1/],
]);

describe('user exceptions keep the original as cause', () => {
  test('trace: cause is the thrown object, phase and function are in details', () => {
    const boom = new Error('boom');
    try { trace({ x: [2] }, () => { throw boom; }); assert.fail('no throw'); } catch (e) {
      assert.ok(e instanceof TideError);
      assert.equal(e.code, 'USER_FUNCTION');
      assert.equal((e as Error & { cause?: unknown }).cause, boom);
      assert.equal(e.details.phase, 'trace');
    }
  });
  test('a TideError thrown inside a traced function passes through unchanged', () => {
    throwsTide(() => fieldFromTrace((_t, y) => ops.cols(y, 7), { shape: [1, 2] }), 'SHAPE', /cols: columns \[7, 8\) are outside/);
  });
  test('a thrown non-Error value is named', () => {
    throwsTide(() => trace({ x: [1] }, () => { throw 'oops'; }), 'USER_FUNCTION', /threw during trace: the value 'oops'/);
  });
  test('fit: the loss exception is the cause and the step is in details', () => {
    const err = new RangeError('index 9');
    try { fit(bad({ ...fitOk(), steps: 2, loss: () => { throw err; } })); assert.fail('no throw'); } catch (e) {
      assert.ok(e instanceof TideError && e.code === 'USER_FUNCTION');
      assert.equal((e as Error & { cause?: unknown }).cause, err);
      assert.equal(e.details.step, 0);
    }
  });
  test('fieldFromModel: the model exception is the cause', () => {
    try { fieldFromModel(userModel('apply')).eval(new Float64Array(2), 0, f64(1, 2), new Float64Array(0)); assert.fail('no throw'); } catch (e) {
      assert.ok(e instanceof TideError && e.code === 'USER_FUNCTION');
      assert.match(String((e as Error & { cause?: Error }).cause?.message), /apply failed/);
    }
  });
});

describe('nothing is changed by a rejected call', () => {
  test('adam.step with NaN params leaves params, state and stepCount as they were', () => {
    const o = adam({ lr: 0.1 }), p = f64(1, 2);
    o.step(p, f64(1, 1));
    const before = JSON.stringify(o.state()), pb = Float64Array.from(p);
    p[1] = NaN; pb[1] = NaN;
    throwsTide(() => o.step(p, f64(1, 1)), 'NONFINITE', /adam: params\[1\] is NaN before update 2/);
    assert.deepEqual(p, pb);
    assert.equal(JSON.stringify(o.state()), before);
    assert.equal(o.stepCount, 1);
  });
});
