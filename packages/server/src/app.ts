import { hostname } from 'node:os';
import type { Config } from './config/config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createJobRunner, type JobRunner, noticesSendJob } from './jobs/index.ts';
import { type Clock, systemClock } from './kernel/clock.ts';
import { type Logger, silentLogger } from './kernel/logger.ts';
import { type AuditService, createAuditService } from './modules/audit/index.ts';
import { type BranchService, createBranchService } from './modules/branches/index.ts';
import {
  type CatalogService,
  createCatalogService,
  createExportJobs,
  createExportService,
  createImportJobs,
  createImportService,
  createProcessingService,
  type ExportJobs,
  type ExportService,
  type ImportJobs,
  type ImportService,
  type ProcessingService,
} from './modules/catalog/index.ts';
import { type Circulation, createCirculation } from './modules/circulation/index.ts';
import { createFinesService, type FinesService } from './modules/fines/index.ts';
import { createNoticeService, type NoticeService } from './modules/notices/index.ts';
import {
  createPatronService,
  type PatronService,
  patronByCard,
  patronById,
} from './modules/patrons/index.ts';
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
  catalogExportJobs: ExportJobs;
  catalogImport: ImportService;
  catalogImportJobs: ImportJobs;
  circulation: Circulation;
  fines: FinesService;
  jobs: JobRunner;
  notices: NoticeService;
  patrons: PatronService;
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
  const catalogExport = createExportService({ database, branches });
  const notices = createNoticeService({ db, clock, config, log });
  const jobs = createJobRunner({ db, clock, log, holder: `${hostname()}:${process.pid}` });
  jobs.register(noticesSendJob(notices));
  const base: Omit<Services, 'circulation'> = {
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
    catalogExport,
    catalogExportJobs: createExportJobs({
      database,
      clock,
      exports: catalogExport,
      log,
      dataDir: config.dataDir,
    }),
    catalogImport,
    catalogImportJobs: createImportJobs({ database, clock, imports: catalogImport, log }),
    fines: createFinesService({ db, clock, currency: config.currency }),
    jobs,
    notices,
    patrons: createPatronService({
      db,
      clock,
      branches,
      barcodeInstitution: config.barcode_institution,
      auth: {
        sessionTtlHours: config.session_ttl_hours,
        loginMaxFailures: config.login_max_failures,
        loginWindowMinutes: config.login_window_minutes,
      },
    }),
    processing: createProcessingService({
      database,
      clock,
      branches,
      barcodeInstitution: config.barcode_institution,
    }),
    staff: createStaffService({ db, clock }),
  };
  const services: Services = { ...base, circulation: wireCirculation(base, { database, clock, config }) };
  const close = async () => {
    await jobs.stop();
    await database.close();
  };
  return { config, database, clock, log, services, close };
}

/**
 * Circulation works with patrons, fines and notices inside its own transactions; the patrons module in
 * turn asks circulation and fines what a merge, a deletion or a data export means for them.
 */
function wireCirculation(
  services: Omit<Services, 'circulation'>,
  { database, clock, config }: { database: Database; clock: Clock; config: Config },
): Circulation {
  const { fines, notices, patrons, jobs } = services;
  const circulation = createCirculation(
    {
      database,
      clock,
      branches: services.branches,
      currency: config.currency,
      ports: { patrons: { byCard: patronByCard, byId: patronById }, fines, notices },
    },
    { anonymiseAfterDays: config.anonymise_after_days, autoRenew: config.auto_renew },
  );
  for (const job of circulation.jobs) jobs.register(job);
  patrons.registerHooks({
    chargeFee: (trx, now, actor, fee) => fines.postCharge(trx, now, actor, fee).then(() => undefined),
    onMerge: [circulation.patronHooks.onMerge, (trx, _now, from, to) => fines.movePatronLines(trx, from, to)],
    beforeDelete: [
      circulation.patronHooks.beforeDelete,
      async (trx, patronId) => {
        const { balanceMinor } = await fines.balanceOf(trx, patronId);
        return balanceMinor !== 0 ? ['the account is not settled (balance is not zero)'] : [];
      },
    ],
    onDelete: [circulation.patronHooks.onDelete],
    exportData: [
      circulation.patronHooks.exportData,
      async (trx, patronId) => ({ fines: await fines.exportPatronData(trx, patronId) }),
    ],
  });
  return circulation;
}
