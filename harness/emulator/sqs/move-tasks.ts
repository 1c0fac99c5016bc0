/**
 * SQS message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask; fact
 * sheet §4): move the visible messages of a dead-letter queue back to their source queues (or to
 * a named destination), at most MaxNumberOfMessagesPerSecond a second, one running task per
 * source. The model hands in what a task needs (its clock, queues by ARN, send and remove).
 */
import type { Clock } from '../../contracts/clock.ts';
import { SqsError, msg as err } from './errors.ts';
import type { Msg, MoveTask, MoveTaskStatus, SendInput, SendResult, SqsQueue } from './queue.ts';
import { returnToVisible, takeVisibleRaw } from './visible-set.ts';

export interface MoveTaskHost {
  readonly clock: Clock;
  readonly limits: { moveTaskMaxMessagesPerSecond: number };
  queueByArn(arn: string): SqsQueue | undefined;
  deadLetterSources(q: SqsQueue): SqsQueue[];
  tick(q: SqsQueue): void;
  removeMessage(q: SqsQueue, m: Msg): void;
  send(q: SqsQueue, input: SendInput): SendResult | SqsError;
}

export class MoveTasks {
  private nextTask = 1;
  constructor(private readonly host: MoveTaskHost) {}

  /**
   * StartMessageMoveTask: moves the visible messages of a dead-letter queue back to their source
   * queues (or to `destinationArn`), at most `maxPerSecond` a second (≤ 500) [fact sheet §4].
   */
  start(sourceArn: string, destinationArn?: string, maxPerSecond?: number): MoveTask {
    const src = this.host.queueByArn(sourceArn);
    if (!src) throw new SqsError('ResourceNotFoundException', 'The resource that you specified for the SourceArn parameter doesn\'t exist.');
    if (this.host.deadLetterSources(src).length === 0) {
      throw err.invalidValue('SourceArn', sourceArn, 'Source queue must be configured as a Dead Letter Queue.');
    }
    if (destinationArn !== undefined && !this.host.queueByArn(destinationArn)) {
      throw new SqsError('ResourceNotFoundException', "The resource that you specified for the DestinationArn parameter doesn't exist.");
    }
    if (maxPerSecond !== undefined && (!Number.isInteger(maxPerSecond) || maxPerSecond < 1 || maxPerSecond > this.host.limits.moveTaskMaxMessagesPerSecond)) {
      throw err.invalidValue('MaxNumberOfMessagesPerSecond', maxPerSecond, `Must be between 1 and ${this.host.limits.moveTaskMaxMessagesPerSecond}.`);
    }
    if (src.moveTasks.some((t) => t.status === 'RUNNING')) {
      throw new SqsError('UnsupportedOperation', 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    }
    this.host.tick(src);
    const id = this.nextTask++;
    const task: MoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: String(id), sourceArn })).toString('base64'),
      status: 'RUNNING',
      sourceArn,
      destinationArn,
      maxNumberOfMessagesPerSecond: maxPerSecond,
      approximateNumberOfMessagesMoved: 0,
      approximateNumberOfMessagesToMove: src.visibleCount,
      failureReason: undefined,
      startedTimestamp: Math.round(this.host.clock.epochMs()),
      timer: undefined,
    };
    src.moveTasks.unshift(task);
    const rate = maxPerSecond ?? this.host.limits.moveTaskMaxMessagesPerSecond;
    const step = () => {
      task.timer = undefined;
      if (task.status !== 'RUNNING' || src.deleted) return;
      this.host.tick(src);
      let n = 0;
      while (n < rate && task.approximateNumberOfMessagesMoved < task.approximateNumberOfMessagesToMove) {
        const m = takeVisibleRaw(src);
        if (!m) break;
        const target = this.host.queueByArn(destinationArn ?? m.deadLetterQueueSourceArn ?? '');
        if (!target) {
          returnToVisible(src, m, true);
          task.status = 'FAILED';
          task.failureReason = 'AWS.SimpleQueueService.NonExistentQueue';
          return;
        }
        this.host.removeMessage(src, m);
        const r = this.host.send(target, {
          body: m.body,
          messageAttributes: m.messageAttributes,
          messageSystemAttributes: m.awsTraceHeader !== undefined ? { AWSTraceHeader: { DataType: 'String', StringValue: m.awsTraceHeader } } : undefined,
          messageGroupId: m.groupId,
          messageDeduplicationId: target.fifo ? m.dedupId : undefined,
          senderId: m.senderId,
        });
        if (r instanceof SqsError) {
          task.status = 'FAILED';
          task.failureReason = r.queryCode;
          return;
        }
        task.approximateNumberOfMessagesMoved++;
        n++;
      }
      if (task.approximateNumberOfMessagesMoved >= task.approximateNumberOfMessagesToMove || src.visibleCount === 0) {
        task.status = 'COMPLETED';
        return;
      }
      task.timer = this.host.clock.setTimer(step, 1000);
    };
    task.timer = this.host.clock.setTimer(step, 0);
    return task;
  }

  list(sourceArn: string): MoveTask[] {
    const src = this.host.queueByArn(sourceArn);
    if (!src) throw new SqsError('ResourceNotFoundException', "The resource that you specified for the SourceArn parameter doesn't exist.");
    return src.moveTasks;
  }

  cancel(taskHandle: string): MoveTask {
    let parsed: { taskId?: unknown; sourceArn?: unknown } | undefined;
    try {
      parsed = JSON.parse(Buffer.from(taskHandle, 'base64').toString('utf8')) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    const src = typeof parsed?.sourceArn === 'string' ? this.host.queueByArn(parsed.sourceArn) : undefined;
    const task = src?.moveTasks.find((t) => t.taskHandle === taskHandle);
    if (!task) throw new SqsError('ResourceNotFoundException', 'Task does not exist.');
    if (task.status !== 'RUNNING') throw new SqsError('UnsupportedOperation', `Only active tasks can be cancelled. Task status: ${task.status}.`);
    this.stop(task, 'CANCELLED');
    return task;
  }

  stop(t: MoveTask, status: MoveTaskStatus): void {
    if (t.timer) this.host.clock.clearTimer(t.timer);
    t.timer = undefined;
    if (t.status === 'RUNNING') t.status = status;
  }
}
