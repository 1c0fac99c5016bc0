/**
 * A queue's visible set: standard queues keep visible messages in one deque; FIFO queues keep
 * one deque per message group, in sequence order, plus a deque of groups ready to serve (a group
 * with a message in flight is not ready, so order within a group holds). Structures drop
 * messages that left lazily, by state.
 */
import { Deque } from '../deque.ts';
import { State, type Group, type Msg, type SqsQueue } from './queue.ts';

/** Move an in-flight message back to visible (visibility ended or was set to 0). */
export function returnToVisible(q: SqsQueue, m: Msg, front = false): void {
  if (m.state === State.InFlight) {
    q.inFlightCount--;
    if (q.fifo && m.groupId !== undefined) {
      const g = q.groups.get(m.groupId);
      if (g) g.inFlight--;
    }
  } else if (m.state === State.Visible) {
    q.visibleCount--;
  }
  makeVisible(q, m, front);
}

export function makeVisible(q: SqsQueue, m: Msg, front = false): void {
  m.state = State.Visible;
  q.visibleCount++;
  if (!q.fifo) {
    if (front) q.visible.unshift(m);
    else q.visible.push(m);
    return;
  }
  const gid = m.groupId!;
  let g = q.groups.get(gid);
  if (!g) {
    g = { id: gid, msgs: new Deque<Msg>(4), inFlight: 0, ready: false };
    q.groups.set(gid, g);
  }
  insertBySeq(g.msgs, m);
  maybeReady(q, g);
}

export function maybeReady(q: SqsQueue, g: Group): void {
  if (g.ready || g.inFlight > 0) return;
  let head = g.msgs.peek();
  while (head && head.state !== State.Visible) {
    g.msgs.shift();
    head = g.msgs.peek();
  }
  if (!head) {
    if (g.inFlight === 0 && g.msgs.length === 0) q.groups.delete(g.id);
    return;
  }
  g.ready = true;
  q.readyGroups.push(g);
}

/** Take the next visible message without delivering it (message move tasks). */
export function takeVisibleRaw(q: SqsQueue): Msg | undefined {
  if (!q.fifo) {
    for (;;) {
      const m = q.visible.shift();
      if (!m) return undefined;
      if (m.state === State.Visible) return m;
    }
  }
  for (;;) {
    const g = q.readyGroups.shift();
    if (!g) return undefined;
    g.ready = false;
    let m = g.msgs.shift();
    while (m && m.state !== State.Visible) m = g.msgs.shift();
    maybeReady(q, g);
    if (m) return m;
  }
}

function insertBySeq(d: Deque<Msg>, m: Msg): void {
  const last = d.at(d.length - 1);
  if (!last || m.num > last.num) {
    d.push(m);
    return;
  }
  const first = d.peek();
  if (first && m.num < first.num) {
    d.unshift(m);
    return;
  }
  // Rare (delay changed between sends): rebuild in order.
  const all = [...d, m].sort((a, b) => a.num - b.num);
  d.clear();
  for (const x of all) d.push(x);
}

