/**
 * CloudWatch alarms as stop conditions (`stopConditions: [{alarm: name | ARN}]`, as AWS FIS
 * does): the alarms' states are read through the target's CloudWatch client every few seconds
 * (an alarm changes state at most once per evaluation period, a minute or more) and the first one
 * found in ALARM fires. Reading only: squall never changes an alarm.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { Clock, TimerHandle } from '../contracts/clock.ts';
import type { AlarmStopCondition } from '../experiment/types.ts';
import type { TargetClients } from '../target/clients.ts';

/** DescribeAlarms names alarms by name; an ARN's name is its last part (`…:alarm:<name>`). */
export function alarmName(nameOrArn: string): string {
  const m = /^arn:[^:]+:cloudwatch:[^:]*:\d*:alarm:(.+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

/** State of every named alarm: `ALARM`, `OK`, `INSUFFICIENT_DATA`, or null when it does not exist. */
export async function alarmStates(c: TargetClients, alarms: readonly string[]): Promise<Map<string, string | null>> {
  const names = [...new Set(alarms.map(alarmName))];
  const out = new Map<string, string | null>(names.map((n) => [n, null]));
  // DescribeAlarms takes at most 100 names per call.
  for (let i = 0; i < names.length; i += 100) {
    let token: string | undefined;
    do {
      const r = await c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], ...(token ? { NextToken: token } : {}) }));
      for (const a of [...(r.MetricAlarms ?? []), ...(r.CompositeAlarms ?? [])]) if (a.AlarmName) out.set(a.AlarmName, a.StateValue ?? null);
      token = r.NextToken;
    } while (token);
  }
  return out;
}

export interface AlarmWatchOptions {
  conditions: readonly AlarmStopCondition[];
  clients: TargetClients;
  clock: Clock;
  /** Called once, for the first condition whose alarm is in ALARM. */
  onAlarm: (c: AlarmStopCondition, state: string) => void;
  onWarning?: (message: string) => void;
  /** Default 5000 ms. */
  intervalMs?: number;
}

export class AlarmWatcher {
  private timer: TimerHandle | undefined;
  private running = false;
  private fired = false;
  private warned = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly o: AlarmWatchOptions) {}

  start(): void {
    if (this.running || this.o.conditions.length === 0) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.o.clock.clearTimer(this.timer);
    await this.inFlight;
  }

  /** One read now; returns the condition that fired, if any. */
  async tick(): Promise<AlarmStopCondition | null> {
    if (this.fired) return null;
    let states: Map<string, string | null>;
    try {
      states = await alarmStates(this.o.clients, this.o.conditions.map((c) => c.alarm));
    } catch (e) {
      if (!this.warned) this.o.onWarning?.(`stop conditions: cannot read CloudWatch alarms (${e instanceof Error ? e.message : String(e)}); retrying`);
      this.warned = true;
      return null;
    }
    for (const c of this.o.conditions) {
      if (states.get(alarmName(c.alarm)) === 'ALARM' && !this.fired && this.running) {
        this.fired = true;
        this.o.onAlarm(c, 'ALARM');
        return c;
      }
    }
    return null;
  }

  private schedule(delay: number): void {
    if (!this.running || this.fired) return;
    this.timer = this.o.clock.setTimer(() => {
      this.inFlight = this.tick().then(
        () => this.schedule(this.o.intervalMs ?? 5000),
        () => this.schedule(this.o.intervalMs ?? 5000),
      );
    }, delay);
  }
}
