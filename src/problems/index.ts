/**
 * Benchmark problems of McCallum & Foster 2024 (arXiv 2410.11648) and Chen et al. 2018: learnable fields, data generated in code, losses and the paper's training
 * settings. White dwarf (the paper's experiment 1), coupled oscillator and double pendulum (experiments 2–3,
 * offline substitutes of Schmidt & Lipson's 2009 real data), the spiral of Chen et al. 2018, Lotka–Volterra and a
 * hybrid physics + MLP pendulum.
 */
export { mseLoss, neuralField, trainingOptimizer, linspace, stepGrid, baseMethod } from './problem.ts';
export { fillWindows } from './windows.ts';
export type { NeuralField, TrajectoryData, Loss, TrainingSettings, Problem, BaseMethod } from './problem.ts';
export { ralston3 } from './ralston3.ts';
export {
  WHITE_DWARF_C, WHITE_DWARF_T_SHIFT, WHITE_DWARF_Y0, whiteDwarfField, whiteDwarfData, whiteDwarfModel, whiteDwarfProblem,
} from './white-dwarf.ts';
export type { WhiteDwarfFieldOptions, WhiteDwarfDataOptions, WhiteDwarfProblemOptions } from './white-dwarf.ts';
export {
  COUPLED_OSCILLATOR_COEFFS, COUPLED_OSCILLATOR_Y0, coupledOscillatorField, coupledOscillatorData, coupledOscillatorModel,
  coupledOscillatorProblem,
} from './coupled-oscillator.ts';
export type { CoupledOscillatorDataOptions, CoupledOscillatorProblemOptions } from './coupled-oscillator.ts';
export {
  DOUBLE_PENDULUM_PARAMS, DOUBLE_PENDULUM_Y0, doublePendulumField, doublePendulumData, doublePendulumModel, doublePendulumProblem,
} from './double-pendulum.ts';
export type { DoublePendulumDataOptions, DoublePendulumProblemOptions } from './double-pendulum.ts';
export { SPIRAL_A, SPIRAL_Y0, SPIRAL_DEMO, spiralField, spiralData, neuralSpiralField } from './spiral.ts';
export type { SpiralDataOptions } from './spiral.ts';
export {
  LOTKA_VOLTERRA_PARAMS, LOTKA_VOLTERRA_Y0, lotkaVolterraField, lotkaVolterraData, lotkaVolterraModel, lotkaVolterraProblem,
} from './lotka-volterra.ts';
export type { LotkaVolterraDataOptions, LotkaVolterraProblemOptions } from './lotka-volterra.ts';
export {
  HYBRID_PENDULUM_TRUTH, HYBRID_PENDULUM_Y0, hybridPendulumTruth, hybridPendulumData, hybridPendulumModel, hybridPendulumProblem,
} from './hybrid-pendulum.ts';
export type { HybridPendulumDataOptions, HybridPendulumModel, HybridPendulumProblemOptions, HybridPendulumProblem } from './hybrid-pendulum.ts';
