import { createS3ObjectStore } from '../../src/adapters/objects/s3-object-store.js';
import { objectStoreConformance } from '../../src/testing/object-store-conformance.js';
import { startServer } from '../helpers/server.js';

/** The S3 adapter passes the same contract as the directory store, against Lathe's own S3 API. */
objectStoreConformance('s3 (against lathe serve)', async () => {
  const server = await startServer();
  const store = createS3ObjectStore({
    endpoint: server.url,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
  });
  return {
    store,
    cleanup: async () => {
      await store.close?.();
      await server.stop();
    },
  };
});
