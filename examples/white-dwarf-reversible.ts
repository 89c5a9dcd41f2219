/**
 * The white dwarf problem of the reversible-solver paper (Chandrasekhar's equation, a time-dependent neural ODE
 * [s, x, v] → 10 → tanh → 2 on 1000 midpoint steps) trained with the reversible midpoint method, λ = 0.999, with
 * re-anchoring: an anchor state is stored every K steps, so the reconstructed states' drift is measured and bounded.
 * Prints the loss as it trains and the memory the gradient holds next to backprop through the stored solver (direct).
 *
 *   node --import tsx examples/white-dwarf-reversible.ts            # 1000 training steps (~15 s)
 *   node --import tsx examples/white-dwarf-reversible.ts --quick    # 40 steps (the test suite's run)
 */
import { problems, fit, reversible, solveWithGradient } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const steps = quick ? 40 : 1000;
const pb = problems.whiteDwarfProblem({ method: 'midpoint', trainingSteps: steps });
const params = pb.init(0);
const method = reversible({ lambda: 0.999, anchorEvery: 'auto' });

console.log(`white-dwarf-reversible: ${pb.field.paramCount} parameters, ${pb.data.ts.length} midpoint steps, reversible (λ = 0.999, re-anchored), AdamW lr ${pb.training.lr}, ${steps} steps`);
const start = performance.now();
const result = fit({
  field: pb.field, y0: pb.y0, params, loss: pb.loss, optimizer: problems.trainingOptimizer(pb.training), steps,
  solve: { ...pb.solveOptions, gradient: method },
  onStep: ({ step, loss }) => {
    if (step % Math.max(1, Math.floor(steps / 5)) === 0) console.log(`  step ${String(step).padStart(4)}  loss ${loss.toExponential(3)}`);
  },
});
const sec = (performance.now() - start) / 1000;
const rev = result.lastReport!;
console.log(`  anchors ${rev.anchors} every ${rev.anchorEvery} steps, largest drift at an anchor ${rev.maxAnchorDrift?.toExponential(2)}, segments redone ${rev.segmentsRedone}`);

// The same gradient by backprop through every stored step, for the memory comparison.
const run = solveWithGradient(pb.field, pb.y0, { ...pb.solveOptions, params, gradient: 'direct' });
const dYs = new Float64Array(run.ys.length);
pb.loss(run.ys, dYs);
const ref = run.backward(dYs).report;
console.log(`  states held: reversible ${rev.stateBytes.toLocaleString('en-US')} B vs direct ${ref.stateBytes.toLocaleString('en-US')} B (${(ref.stateBytes / rev.stateBytes).toFixed(0)}× less); peak incl. outputs and step grid ${rev.peakBytes.toLocaleString('en-US')} B vs ${ref.peakBytes.toLocaleString('en-US')} B`);
console.log(`final loss ${result.finalLoss.toExponential(3)} (min ${result.minLoss.toExponential(3)}, from ${result.losses[0].toExponential(3)}) after ${steps} steps in ${sec.toFixed(1)} s`);
