/**
 * `npm start`: the main job. Trains the time-dependent neural ODE of the reversible-solver paper on the Chandrasekhar
 * white dwarf data (the slides' first experiment, as in sammccallum/reversible-solvers `white_dwarf.py`: 1000 midpoint steps, model [s, x, v] → 10 → tanh → 2, AdamW lr 1e-2,
 * weight decay 1e-5) with the reversible midpoint solver (λ = 0.999): exact gradients in O(1) memory.
 * Shows progress and the final loss. Options: --steps N (training steps, default 1000), --seed S (default 0),
 * --gradient NAME (default reversible; e.g. checkpoint, direct), --lambda L (default 0.999); --help lists them.
 */
import { Command, Option } from 'commander';
import { problems, fit, solveWithGradient, reversible, GRADIENT_METHOD_NAMES } from '../src/index.ts';
import { integer, number, oneOf } from './args.ts';
const { whiteDwarfProblem, trainingOptimizer } = problems;

// Flags by commander, as in the tidediff CLI: --help prints them and exits, an unknown flag or a bad value is an error
// that names the fix (`npm start -- --steps 0`), instead of starting a run.
const cmd = new Command('npm start --')
  .description('The main job: train the white dwarf neural ODE with reversible gradients (McCallum & Foster 2024). '
    + 'For other problems, JSON configs, logs and plots use the CLI: node --import tsx cli/tide.ts --help (npx tidediff --help when installed).')
  .addOption(new Option('--steps <n>', 'training steps').argParser(integer('--steps', 1, 'training steps', 200)).default(1000))
  .addOption(new Option('--seed <n>', 'initialisation seed').argParser(integer('--seed', 0, 'seed', 0)).default(0))
  .addOption(new Option('--gradient <name>', `gradient method: ${GRADIENT_METHOD_NAMES.join(', ')}`).argParser(oneOf('--gradient', GRADIENT_METHOD_NAMES, 'gradient method')).default('reversible'))
  .addOption(new Option('--lambda <x>', 'coupling λ of the reversible gradient').argParser(number('--lambda', 'reversible coupling λ', 0.999, { lo: 0, hi: 1, open: true })).default(0.999))
  .showHelpAfterError('(npm start -- --help lists the flags)')
  .allowExcessArguments(false)
  .parse(process.argv.slice(2), { from: 'user' });
const { steps, seed, gradient, lambda } = cmd.opts<{ steps: number; seed: number; gradient: string; lambda: number }>();
if (cmd.getOptionValueSource('lambda') === 'cli' && gradient !== 'reversible') cmd.error(`error: --lambda is the reversible gradient's coupling; --gradient is ${gradient}. Leave out --lambda or use --gradient reversible.`);
const pb = whiteDwarfProblem({ method: 'midpoint', trainingSteps: steps });
const params = pb.init(seed);
const optimizer = trainingOptimizer(pb.training);
console.log(`tide: training a neural ODE on the Chandrasekhar white dwarf equation`);
console.log(`  data: 1000 midpoint steps of x' = v, v' = −(x² − C)^{3/2} − 2v/t (C = 0.001), model [s, x, v] → 10 → tanh → 2 (${pb.field.paramCount} parameters)`);
console.log(`  gradient: ${gradient}${gradient.startsWith('reversible') ? ` midpoint, λ = ${lambda}` : ''}; AdamW lr ${pb.training.lr}, weight decay ${pb.training.weightDecay}; ${steps} training steps\n`);

const width = 30;
const start = performance.now();
const result = fit({
  field: pb.field, y0: pb.y0, params, loss: pb.loss, optimizer, steps,
  solve: { ...pb.solveOptions, gradient: gradient === 'reversible' ? reversible({ lambda }) : gradient },
  onStep: ({ step, loss, report }) => {
    if (step % Math.max(1, Math.floor(steps / 20)) !== 0 && step !== steps - 1) return;
    const done = Math.round(((step + 1) / steps) * width);
    const bar = '█'.repeat(done) + '░'.repeat(width - done);
    const sec = (performance.now() - start) / 1000;
    console.log(`  ${bar} step ${String(step + 1).padStart(5)}/${steps}  loss ${loss.toExponential(3)}  ${sec.toFixed(1)} s  (NFE ${report.nfeForward} forward + ${report.nfeBackward} backward)`);
  },
});
const sec = (performance.now() - start) / 1000;
console.log(`\nfinal loss ${result.finalLoss.toExponential(3)}, minimum ${result.minLoss.toExponential(3)} (the paper reports 0.9e-4 after 1000 steps), in ${sec.toFixed(1)} s`);
// The same gradient by backprop through the stored solver states, for the memory comparison.
const direct = solveWithGradient(pb.field, pb.y0, { ...pb.solveOptions, params, gradient: 'direct' });
const dYs = new Float64Array(direct.ys.length);
pb.loss(direct.ys, dYs);
const ref = direct.backward(dYs).report;
const mine = result.lastReport!;
console.log(`gradient memory: states held ${mine.stateBytes.toLocaleString()} bytes (${gradient}) vs ${ref.stateBytes.toLocaleString()} bytes for backprop through the stored solver (direct);`);
console.log(`  both also keep the ${(1000 * 2 * 8).toLocaleString()} bytes of saved outputs and the accepted-step grid (total ${mine.peakBytes.toLocaleString()} vs ${ref.peakBytes.toLocaleString()} bytes)`);
