import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ObjectStore } from '../ports/object-store.js';
import { parseS3Uri } from './transfer.js';

/**
 * Keeps `CheckpointConfig.S3Uri` in step with the job's checkpoint directory while it
 * trains, as SageMaker does: new and changed files are uploaded, files deleted locally are
 * deleted remotely. A job restarted after a crash resumes from the last synced state.
 */
export class CheckpointSync {
  private readonly synced = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly dir: string,
    s3Uri: string,
    private readonly onError: (message: string) => void,
  ) {
    const loc = parseS3Uri(s3Uri);
    this.bucket = loc.bucket;
    this.prefix = loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/`;
  }

  /** Records the files already there (restored from S3) as in sync. */
  async baseline(): Promise<void> {
    for (const [rel, version] of await this.scan()) this.synced.set(rel, version);
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sync(), intervalMs);
  }

  /** One pass; passes never overlap. Resolves when this pass is done. */
  sync(): Promise<void> {
    this.running = this.running.then(() => this.pass()).catch((e: Error) => this.onError(e.message));
    return this.running;
  }

  /** Stops the timer and runs a last pass. Returns the number of files in sync. */
  async stop(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    await this.sync();
    return this.synced.size;
  }

  private async scan(): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    const entries = await readdir(this.dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile()) continue;
      const full = join(e.parentPath, e.name);
      const s = await stat(full).catch(() => undefined);
      if (s) files.set(relative(this.dir, full).split(sep).join('/'), `${s.size}:${s.mtimeMs}`);
    }
    return files;
  }

  private async pass(): Promise<void> {
    const now = await this.scan();
    for (const [rel, version] of now) {
      if (this.synced.get(rel) === version) continue;
      try {
        await this.store.putObject(this.bucket, this.prefix + rel, createReadStream(join(this.dir, rel)));
        this.synced.set(rel, version);
      } catch (e) {
        // The algorithm pruned the file between the scan and the upload: the next pass deletes it.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    for (const rel of [...this.synced.keys()]) {
      if (now.has(rel)) continue;
      await this.store.deleteObject(this.bucket, this.prefix + rel);
      this.synced.delete(rel);
    }
  }
}
