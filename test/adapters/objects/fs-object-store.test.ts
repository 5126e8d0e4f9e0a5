import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsObjectStore } from '../../../src/adapters/objects/fs-object-store.js';
import { objectStoreConformance } from '../../../src/testing/object-store-conformance.js';

objectStoreConformance('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lathe-fs-store-'));
  return { store: createFsObjectStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
