import { describe, expect, it } from 'vitest';
import { createRng } from '../../harness/contracts/distributions.ts';
import { DueRing, EventQueue, FloatDeque, IntDeque, IntPairDeque } from '../../harness/simulator/event-queue.ts';

describe('EventQueue', () => {
  it('pops in (time, insertion) order, ties included, while pushes interleave with pops and it grows', () => {
    const rng = createRng(5);
    const q = new EventQueue(4);
    // The reference: every pending event with its insertion number, popped by sorting.
    const pending: Array<{ t: number; seq: number; type: number; a: number; b: number }> = [];
    let seq = 0;
    let now = 0;
    const push = (t: number) => {
      const e = { t, seq: seq++, type: 1 + (seq % 200), a: seq * 7, b: -seq };
      pending.push(e);
      q.push(e.t, e.type, e.a, e.b);
    };
    for (let step = 0; step < 20_000; step++) {
      // Many ties: times on a coarse grid, some exactly now.
      const k = Math.floor(rng.next() * 3);
      for (let j = 0; j < k; j++) push(now + Math.floor(rng.next() * 8) * 0.5);
      if (rng.next() < 0.5 && pending.length > 0) {
        pending.sort((x, y) => x.t - y.t || x.seq - y.seq);
        const want = pending.shift()!;
        expect(q.size).toBe(pending.length + 1);
        expect(q.peekTime()).toBe(want.t);
        expect(q.pop()).toBe(true);
        expect([q.t, q.type, q.a, q.b]).toEqual([want.t, want.type, want.a, want.b]);
        now = want.t;
      }
    }
    pending.sort((x, y) => x.t - y.t || x.seq - y.seq);
    for (const want of pending) {
      expect(q.pop()).toBe(true);
      expect([q.t, q.type, q.a, q.b]).toEqual([want.t, want.type, want.a, want.b]);
    }
    expect(q.pop()).toBe(false);
    expect(q.peekTime()).toBe(Infinity);
  });
});

describe('IntDeque / FloatDeque', () => {
  it('behave as double-ended queues across growth and wrap-around', () => {
    for (const d of [new IntDeque(2), new FloatDeque(2)]) {
      const ref: number[] = [];
      const rng = createRng(9);
      for (let i = 0; i < 5_000; i++) {
        const r = rng.next();
        if (r < 0.5 || ref.length === 0) {
          d.pushBack(i);
          ref.push(i);
        } else if (r < 0.75) expect(d.popFront()).toBe(ref.shift());
        else expect(d.popBack()).toBe(ref.pop());
        expect(d.length).toBe(ref.length);
        if (ref.length > 0) expect(d.front()).toBe(ref[0]);
      }
    }
  });
});

describe('IntPairDeque / DueRing', () => {
  it('keep their records in order across growth and wrap-around', () => {
    const pairs = new IntPairDeque(2);
    const ring = new DueRing(2);
    const ref: number[] = [];
    const rng = createRng(11);
    for (let i = 0; i < 5_000; i++) {
      if (rng.next() < 0.55 || ref.length === 0) {
        pairs.pushBack(i, 1000 - i);
        ring.pushBack(i / 4, i, i + 1, i + 2, 1000 - i);
        ref.push(i);
      } else {
        const x = ref.shift()!;
        expect([pairs.front(), pairs.frontSecond()]).toEqual([x, 1000 - x]);
        expect(pairs.popFront()).toBe(x);
        expect(ring.frontDue()).toBe(x / 4);
        ring.popFront();
        expect([ring.a, ring.b, ring.c, ring.d]).toEqual([x, x + 1, x + 2, 1000 - x]);
      }
      expect(pairs.length).toBe(ref.length);
      expect(ring.length).toBe(ref.length);
    }
  });
});
