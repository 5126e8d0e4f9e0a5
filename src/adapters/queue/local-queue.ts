import type { JobQueue } from '../../ports/job-queue.js';

/** In-process FIFO queue running at most `concurrency` handlers at once. */
export function createLocalQueue(concurrency: number): JobQueue {
  const pending: string[] = [];
  const running = new Set<Promise<void>>();
  let handler: ((jobName: string) => Promise<void>) | undefined;
  let closed = false;

  const pump = (): void => {
    while (handler && !closed && running.size < concurrency && pending.length > 0) {
      const name = pending.shift()!;
      const run: Promise<void> = handler(name)
        .catch(() => {
          // The handler records its own failures; a throw here must not stop the queue.
        })
        .finally(() => {
          running.delete(run);
          pump();
        });
      running.add(run);
    }
  };

  return {
    enqueue(jobName) {
      if (closed) return;
      pending.push(jobName);
      pump();
    },
    process(h) {
      handler = h;
      pump();
    },
    remove(jobName) {
      const i = pending.indexOf(jobName);
      if (i < 0) return false;
      pending.splice(i, 1);
      return true;
    },
    waiting: () => [...pending],
    async close() {
      closed = true;
      pending.length = 0;
      await Promise.allSettled([...running]);
    },
  };
}
