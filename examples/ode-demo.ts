/**
 * A port of torchdiffeq's examples/ode_demo.py: learn the spiral y' = Aᵀ y³, A = [[−0.1, 2], [−2, −0.1]], from 1000
 * points on [0, 25] with a 2 → 50 → 2 tanh network applied to y³, trained on minibatches of short random time windows
 * (batch_time 10, batch_size 20) with dopri5, printing the test loss on the whole trajectory every few iterations.
 * Optimiser as the demo: RMSprop, lr 1e-3 (PyTorch's defaults otherwise).
 *
 *   node --import tsx examples/ode-demo.ts            # 2000 iterations, as the demo
 *   node --import tsx examples/ode-demo.ts --quick    # a few iterations (the test suite's run)
 */
import { problems, solve, solveWithGradient, rmsprop, l1, Rng } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const demo = problems.SPIRAL_DEMO;
const iterations = quick ? 100 : demo.iterations;
const testEvery = quick ? 25 : demo.testEvery;
const { batchSize, batchTime } = demo;

const data = problems.spiralData({ points: 1000, t1: 25 });             // true_y on t = linspace(0, 25, 1000)
const N = data.ts.length;
const windowTs = data.ts.slice(0, batchTime);                              // t[0:batch_time], relative times of a window
const trainField = problems.neuralSpiralField(batchSize, demo.hidden);     // f(y) = net(y³) on [batch_size, 2] states
const testField = problems.neuralSpiralField(1, demo.hidden);
const params = trainField.init(new Float64Array(trainField.paramCount), new Rng(0));
const opt = rmsprop({ lr: demo.lr });
const rng = new Rng(1);
const tol = { method: 'dopri5', rtol: demo.rtol, atol: demo.atol } as const;

/** Distinct start indices in [0, N − batch_time), as np.random.choice(..., replace=False). */
const drawStarts = (): Int32Array => rng.choice(N - batchTime, batchSize);

function testLoss(): number {
  const sol = solve(testField, data.y0, { t1: data.ts[N - 1], params, ...tol, saveAt: { ts: data.ts } });
  return trajectoryLoss(sol.ys, testD);
}

console.log(`ode-demo: spiral y' = Aᵀy³, ${N} points on [0, 25]; net 2 → ${demo.hidden} → 2 (tanh) on y³, ${params.length} parameters`);
console.log(`  ${iterations} iterations, windows of ${batchTime} points × ${batchSize}, RMSprop lr ${demo.lr}, dopri5 (rtol ${demo.rtol}, atol ${demo.atol})`);
const y0 = new Float64Array(batchSize * 2), target = new Float64Array(batchTime * batchSize * 2);
const dYs = new Float64Array(target.length);
// mean |pred − true| (torch.nn.L1Loss, as ode_demo.py's torch.mean(torch.abs(pred_y − batch_y))).
const windowLoss = l1(target), trajectoryLoss = l1(data.ys), testD = new Float64Array(data.ys.length);
const start = performance.now();
let loss = testLoss(), best = loss;
console.log(`  iter     0  test loss ${loss.toFixed(6)}`);
for (let itr = 1; itr <= iterations; itr++) {
  problems.fillWindows(data.ys, 2, drawStarts(), batchTime, y0, target); // get_batch: y0 and row k = point k of each window
  const run = solveWithGradient(trainField, y0, { t1: windowTs[batchTime - 1], params, ...tol, saveAt: { ts: windowTs }, gradient: 'direct' });
  windowLoss(run.ys, dYs);
  opt.step(params, run.backward(dYs).dParams);
  if (itr % testEvery === 0) {
    loss = testLoss();
    best = Math.min(best, loss);
    console.log(`  iter ${String(itr).padStart(5)}  test loss ${loss.toFixed(6)}`);
  }
}
console.log(`final test loss ${loss.toFixed(6)} (best ${best.toFixed(6)}) after ${iterations} iterations in ${((performance.now() - start) / 1000).toFixed(1)} s`);
