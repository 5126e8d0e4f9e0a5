import { afterAll, beforeAll, describe } from 'vitest';
import { openMetadataStore } from '../../../src/adapters/sql/open-metadata-store.js';
import { metadataStoreConformance } from '../../../src/testing/metadata-store-conformance.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

// The same conformance suite as SQLite, on a real PostgreSQL server (Debian's postgresql-15).
let pg: TestPostgres;
let databases = 0;

beforeAll(() => {
  pg = startPostgres();
});
afterAll(() => pg?.stop());

describe('PostgreSQL metadata store', () => {
  metadataStoreConformance(async (options) => {
    const name = `store_${databases++}`;
    pg.sql(`CREATE DATABASE ${name}`);
    return openMetadataStore(pg.url(name), options);
  });
});
