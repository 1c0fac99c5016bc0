/**
 * The two data structures the emulator's hot paths rest on, checked against plain arrays with
 * random operation sequences: the min-heap (due times) and the ring-buffer deque (visible
 * messages, long-poll waiters).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque } from '../../harness/emulator/deque.ts';
import { MinHeap } from '../../harness/emulator/heap.ts';

describe('MinHeap', () => {
  it('pops keys in non-decreasing order and loses nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }).map((k) => ({ push: k })), fc.constant({ pop: true })), { maxLength: 300 }), (ops) => {
        const h = new MinHeap<number>();
        const ref: number[] = [];
        let id = 0;
        for (const op of ops) {
          if ('push' in op) {
            h.push(op.push, id++);
            ref.push(op.push);
          } else {
            const expectKey = ref.length ? Math.min(...ref) : Infinity;
            expect(h.peekKey()).toBe(expectKey);
            const item = h.pop();
            if (ref.length) {
              expect(item).toBeDefined();
              ref.splice(ref.indexOf(expectKey), 1);
            } else expect(item).toBeUndefined();
          }
          expect(h.size).toBe(ref.length);
        }
      }),
    );
  });
});

describe('Deque', () => {
  it('behaves like an array at both ends, across growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer().map((v) => ({ push: v })), fc.integer().map((v) => ({ unshift: v })), fc.constant({ shift: true }), fc.constant({ filterOdd: true })), { maxLength: 400 }),
        (ops) => {
          const d = new Deque<number>(2);
          let ref: number[] = [];
          for (const op of ops) {
            if ('push' in op) {
              d.push(op.push);
              ref.push(op.push);
            } else if ('unshift' in op) {
              d.unshift(op.unshift);
              ref.unshift(op.unshift);
            } else if ('shift' in op) {
              expect(d.shift()).toBe(ref.shift());
            } else {
              d.filter((x) => x % 2 === 0);
              ref = ref.filter((x) => x % 2 === 0);
            }
            expect(d.length).toBe(ref.length);
            expect(d.peek()).toBe(ref[0]);
            expect(d.at(ref.length - 1)).toBe(ref[ref.length - 1]);
          }
          expect([...d]).toEqual(ref);
        },
      ),
    );
  });
});
