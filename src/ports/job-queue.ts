/**
 * The job queue port, in queue words. The local adapter runs handlers in this process with
 * a concurrency limit; a Redis (BullMQ) adapter will hand jobs to `lathe agent` processes.
 * Durability does not live here: the metadata store is the source of truth, and on start
 * the service re-enqueues whatever it finds unfinished.
 */
export interface JobQueue {
  /** Adds a job; it runs when a slot is free, in FIFO order. */
  enqueue(jobName: string): void;
  /** Registers the handler; jobs start only after this is called. */
  process(handler: (jobName: string) => Promise<void>): void;
  /** Drops a job that has not started; true when it was waiting. */
  remove(jobName: string): boolean;
  /** Names waiting for a slot, oldest first. */
  waiting(): readonly string[];
  /** Stops starting new jobs and waits for running handlers to return. */
  close(): Promise<void>;
}
