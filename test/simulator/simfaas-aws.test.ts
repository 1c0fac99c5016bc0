/**
 * The single-function cold-start model against published AWS Lambda measurements: the 20 Poisson
 * experiments of the SimFaaS paper (Mahmoudi & Khazaei, CLOSER 2021, §5; fixture file cites the
 * data), run with the paper's inputs — arrival rate, mean warm and cold service time — and judged
 * by the paper's own figures of merit: the mean absolute percentage error (MAPE) of the average
 * instance count and of the cold-start probability. The paper's simulator reports 3.05 % and
 * 12.23 %.
 *
 * Modelling choices (README "Published AWS measurements"): service times are exponential with the
 * measured means, as in SimFaaS; the cold part of a cold request is an init of (cold − warm) mean;
 * an idle environment expires 640 s after its last use, the midpoint of the expiry the same
 * authors measured on AWS Lambda (still warm after 635.8 s idle, gone after 645.0 s; reference
 * §7.2), rather than the nominal 10 min the experiments were configured with in the model; reuse
 * takes the most recently used idle environment and expiry the least recently used (§7.1). The
 * figures are steady-state: the first hour (the warm-up from no environments) is left out by
 * differencing two runs of the same seed, whose arrivals coincide over the shorter one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../harness/simulator/simulate.ts';
import { constantRate, experiment, fn, http, scenario } from './builder.ts';

interface Row {
  name: string;
  ratePerS: number;
  warmMs: number;
  coldMs: number;
  instances: number;
  pCold: number;
}

const rows: Row[] = readFileSync(new URL('../fixtures/simfaas/aws-lambda-experiments.csv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('experiment,'))
  .map((l) => {
    const c = l.split(',');
    return { name: c[0]!, ratePerS: Number(c[1]), warmMs: Number(c[2]), coldMs: Number(c[3]), instances: Number(c[5]), pCold: Number(c[6]) };
  });

/** AWS's measured idle expiry (reference §7.2): between 635.8 s and 645.0 s; SQUALL_SIMFAAS_IDLE_EXPIRY_S=600 shows the nominal 10 min. */
const IDLE_EXPIRY_S = Number(process.env.SQUALL_SIMFAAS_IDLE_EXPIRY_S ?? 640);
const WARMUP_S = 3600;
/** Cold starts to aim for per experiment (sample size); SQUALL_SIMFAAS_COLD_STARTS=400 for a sharper figure. */
const TARGET_COLD_STARTS = Number(process.env.SQUALL_SIMFAAS_COLD_STARTS ?? 150);

function steadyState(r: Row): { instances: number; pCold: number } {
  // Enough arrivals for the target count of cold starts, within what runs in about a second.
  const arrivals = Math.min(150_000, Math.max(600, Math.ceil(TARGET_COLD_STARTS / r.pCold)));
  const horizonS = Math.ceil(arrivals / r.ratePerS);
  const run = (seconds: number) =>
    simulate(
      experiment({
        functions: [fn('f', { duration: { kind: 'exponential', meanMs: r.warmMs }, timeoutSeconds: 900, initMs: { kind: 'constant', ms: r.coldMs - r.warmMs } })],
        scenarios: [scenario('s', http('f'), constantRate(1, seconds * 1000, 100_000, 1000 / r.ratePerS), { arrival: 'poisson' })],
        account: { idleExpirySeconds: IDLE_EXPIRY_S },
        seed: 1,
      }),
      { series: false, drainLimitMs: 0 },
    ).totals.functions['f']!;
  const a = run(WARMUP_S);
  const b = run(WARMUP_S + horizonS);
  return {
    instances: (b.averageEnvironments * (WARMUP_S + horizonS) - a.averageEnvironments * WARMUP_S) / horizonS,
    pCold: (b.coldStarts - a.coldStarts) / (b.invocations - a.invocations),
  };
}

describe('SimFaaS AWS Lambda experiments (CLOSER 2021): average instances and cold-start probability', () => {
  it(`20 Poisson experiments: MAPE of instances < 3.05 % and of P(cold) < 15 % (${TARGET_COLD_STARTS} cold starts each)`, () => {
    expect(rows).toHaveLength(20);
    let apeInstances = 0;
    let apeCold = 0;
    const lines: string[] = [];
    for (const r of rows) {
      const s = steadyState(r);
      apeInstances += Math.abs(s.instances - r.instances) / r.instances;
      apeCold += Math.abs(s.pCold - r.pCold) / r.pCold;
      lines.push(`${r.name.padEnd(13)} λ=${r.ratePerS.toFixed(4)}/s instances ${s.instances.toFixed(3)} (AWS ${r.instances.toFixed(3)}) P(cold) ${s.pCold.toFixed(4)} (AWS ${r.pCold.toFixed(4)})`);
    }
    const mapeInstances = (100 * apeInstances) / rows.length;
    const mapeCold = (100 * apeCold) / rows.length;
    console.log(`${lines.join('\n')}\nMAPE instances ${mapeInstances.toFixed(2)} %, P(cold) ${mapeCold.toFixed(2)} %`);
    expect(mapeInstances).toBeLessThan(3.05);
    // The measured P(cold) carries its own standard error (≈ 10 % of the value on average), so
    // even a perfect model scores ≈ 8 %; 15 % leaves room for this test's smaller sample.
    expect(mapeCold).toBeLessThan(15);
  }, 120_000);
});
