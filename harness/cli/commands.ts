/** The one list of squall's commands, in the order `--help` shows them. */
import validate from './validate.ts';
import generate from './generate.ts';
import k6 from './k6.ts';
import emulator from './emulator.ts';
import simulate from './simulate.ts';
import cost from './cost.ts';
import calibrate from './calibrate.ts';
import run from './run.ts';
import plan from './plan.ts';
import restore from './restore.ts';
import report from './report.ts';
import index from './index-cmd.ts';
import tune from './tune.ts';

export const commands = [run, plan, validate, generate, simulate, cost, emulator, k6, restore, calibrate, tune, report, index];
