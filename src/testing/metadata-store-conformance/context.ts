import type { MetadataStore } from '../../ports/metadata-store.js';

/** A clock the suite owns: each test starts at `TestClock.start` and moves it by hand. */
export class TestClock {
  /** 2023-11-14T22:13:20Z: a realistic epoch-ms value, well past any 32-bit limit. */
  static readonly start = 1_700_000_000_000;
  private current = TestClock.start;

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  reset(): void {
    this.current = TestClock.start;
  }
}

/** What each group of cases gets from the suite. */
export interface ConformanceContext {
  /** The store of the running test (opened before each test, closed after it). */
  readonly store: () => MetadataStore;
  /** The clock the store was opened with. */
  readonly clock: TestClock;
}
