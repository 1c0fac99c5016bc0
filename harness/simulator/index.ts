/**
 * The simulator's public surface: `simulate(experiment, {seed, runs})` (pure, synchronous), the
 * sweep, the expectation check, the closed forms and the one Lambda pricing model. Other parts
 * (the run pipeline, the report) import from here only.
 */
export { simulate, type SimulateOptions, type SimulationResult, type Spread } from './simulate.ts';
export { SIMULATOR_DEFAULTS } from './simulation.ts';
export { TOTALS_SCHEMA, type SimulationTotals, type FunctionTotals, type QueueTotals, type MappingTotals, type ScenarioTotals } from './totals.ts';
export { checkExpectations, aggregateSeries, parseSeriesKey, type ExpectationResult, type ThresholdCheck } from '../contracts/series-thresholds.ts';
export { parseSweep, runSweep, withKnob, SWEEP_SCHEMA, type SweepResult, type SweepRow, type SweepSpec } from './sweep.ts';
export { littleConcurrency, erlangB, erlangCarried, coldStartProbabilityLowLoad } from './closed-forms.ts';
export { lambdaCost, tieredDurationUsd, invocationGbSeconds, MONTH_SECONDS, type LambdaCostInput, type LambdaCostBreakdown, type ProvisionedUsage, type Architecture } from './pricing.ts';
export { formatSimulation, formatSweep, formatCost } from './format.ts';
