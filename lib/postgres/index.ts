// nestjs-aioclock/postgres: the cluster coordinator on PostgreSQL (needs the optional peer `pg`).
export { PostgresCoordinator, type PostgresCoordinatorOptions } from './postgres.coordinator.js';
export { postgresMigration, DEFAULT_POSTGRES_SCHEMA } from './postgres.migration.js';
