import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Executor, ProcessExit, ProcessSpec, RunningProcess } from '../../ports/executor.js';

/**
 * Runs jobs as child processes. Each child leads its own process group so that stopping a
 * job also stops whatever the script itself started (e.g. data-loader workers).
 */
export function createProcessExecutor(): Executor {
  return {
    start(spec: ProcessSpec): RunningProcess {
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: { ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let spawnError: string | undefined;
      child.on('error', (e) => {
        spawnError = e.message;
      });
      const streamsDone = (['stdout', 'stderr'] as const).map((name) => {
        const stream = child[name];
        if (!stream) return Promise.resolve();
        const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
        lines.on('line', (line) => spec.onLine(line, name));
        return new Promise<void>((resolve) => lines.once('close', resolve));
      });
      const exited = new Promise<ProcessExit>((resolve) => {
        child.once('close', (code, signal) => {
          void Promise.all(streamsDone).then(() => resolve({ code, signal, spawnError }));
        });
        child.once('error', () => {
          if (child.pid === undefined) resolve({ code: null, signal: null, spawnError });
        });
      });

      const signalGroup = (signal: NodeJS.Signals): void => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          child.kill(signal);
        }
      };

      return {
        pid: child.pid,
        exited,
        async terminate(graceMs) {
          signalGroup('SIGTERM');
          const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
          const exit = await exited;
          clearTimeout(timer);
          return exit;
        },
      };
    },
  };
}
