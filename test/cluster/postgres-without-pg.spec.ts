import { it, expect, jest } from '@jest/globals';

// An app that enabled PostgresCoordinator without installing the optional peer `pg`.
jest.unstable_mockModule('pg', () => {
  throw Object.assign(new Error("Cannot find package 'pg'"), { code: 'ERR_MODULE_NOT_FOUND' });
});
const { PostgresCoordinator } = await import('../../lib/postgres/index.js');
const { postgresMessages } = await import('../../lib/postgres/postgres.messages.js');

it('says to install pg when it is missing, at connect() and not before', async () => {
  const coordinator = new PostgresCoordinator({ connectionString: 'postgres://nowhere/db' });
  await expect(coordinator.connect()).rejects.toThrow(postgresMessages.pgMissing());
});
