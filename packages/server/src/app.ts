import type { Config } from './config/config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { type Clock, systemClock } from './kernel/clock.ts';
import { type Logger, silentLogger } from './kernel/logger.ts';
import { type AuditService, createAuditService } from './modules/audit/index.ts';
import { type BranchService, createBranchService } from './modules/branches/index.ts';
import {
  type CatalogService,
  createCatalogService,
  createExportService,
  createImportJobs,
  createImportService,
  createProcessingService,
  type ExportService,
  type ImportJobs,
  type ImportService,
  type ProcessingService,
} from './modules/catalog/index.ts';
import {
  type AuthService,
  createAuthService,
  createStaffService,
  type StaffService,
} from './modules/staff/index.ts';

/** Every service, built once per process and shared by all edges (HTTP, CLI, jobs). */
export interface Services {
  audit: AuditService;
  auth: AuthService;
  branches: BranchService;
  catalog: CatalogService;
  catalogExport: ExportService;
  catalogImport: ImportService;
  catalogImportJobs: ImportJobs;
  processing: ProcessingService;
  staff: StaffService;
}

/** The composition root: configuration, database, clock, logger and services. */
export interface App {
  config: Config;
  database: Database;
  clock: Clock;
  log: Logger;
  services: Services;
  close(): Promise<void>;
}

/** What tests and tools may replace. */
export interface AppOverrides {
  clock?: Clock;
  log?: Logger;
  database?: Database;
  /** Apply pending migrations while starting (default true). */
  migrate?: boolean;
}

/**
 * Builds the application: opens (and by default migrates) the database and wires the services.
 * Plain functions and objects, no container: the server, the CLI and tests all start here.
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const database = overrides.database ?? openDatabase(config.database);
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? silentLogger;
  try {
    if (overrides.migrate !== false) {
      const outcome = await migrateToLatest(database);
      if (outcome.applied.length > 0) log.info({ migrations: outcome.applied }, 'database migrated');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const db = database.db;
  const branches = createBranchService({ db, clock });
  const catalogImport = createImportService({ database, clock, branches });
  const services: Services = {
    audit: createAuditService({ db }),
    auth: createAuthService({
      db,
      clock,
      options: {
        sessionTtlHours: config.session_ttl_hours,
        loginMaxFailures: config.login_max_failures,
        loginWindowMinutes: config.login_window_minutes,
      },
    }),
    branches,
    catalog: createCatalogService({ database, clock }),
    catalogExport: createExportService({ database, branches }),
    catalogImport,
    catalogImportJobs: createImportJobs({ database, clock, imports: catalogImport, log }),
    processing: createProcessingService({
      database,
      clock,
      branches,
      barcodeInstitution: config.barcode_institution,
    }),
    staff: createStaffService({ db, clock }),
  };
  return { config, database, clock, log, services, close: () => database.close() };
}
