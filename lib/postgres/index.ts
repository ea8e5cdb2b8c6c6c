// nestjs-aioclock/postgres: the cluster coordinator on PostgreSQL (needs the optional peer `pg`).
export { PostgresCoordinator } from './postgres.coordinator.js';
export type { PostgresCoordinatorOptions } from './postgres.options.js';
export { postgresMigration, DEFAULT_POSTGRES_SCHEMA } from './postgres.migration.js';
