/**
 * The executor port: runs one job process in a prepared working directory. The process
 * adapter spawns a child process; a container adapter will run an image instead.
 */
export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Called once per line of stdout/stderr, in arrival order. */
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** Set when the process could not be started at all (e.g. the interpreter is missing). */
  readonly spawnError?: string;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM now, SIGKILL after `graceMs` if still running. Resolves when it has exited. */
  terminate(graceMs: number): Promise<ProcessExit>;
}

export interface Executor {
  start(spec: ProcessSpec): RunningProcess;
}
