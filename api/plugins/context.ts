/**
 * The API's dependencies as Fastify decorators: the registry, the in-memory fleet
 * directory (loaded here, before any route runs), the elevator state source, the clock
 * and the audit log writer.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Directory } from '../../fleet/directory.ts';
import type { RegistryDb } from '../../store/db.ts';
import { type AuditEntry, recordAudit } from '../data/audit.ts';
import { InfluxHealth } from '../data/health.ts';
import { InfluxHistory } from '../data/history.ts';
import type { Principal } from '../data/tenancy.ts';
import type { AlertActions, ApiConfig, ApiDeps } from '../deps.ts';
import type { ElevatorStateSource } from '../state-source.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: RegistryDb;
    directory: Directory;
    stateSource: ElevatorStateSource;
    clock: () => number;
    apiConfig: ApiConfig;
    publicBaseUrl: string;
    /** Set when the alert lifecycle publishes transitions itself (they come back over MQTT). */
    alertActions: AlertActions | null;
    /** Null when no InfluxDB is configured. */
    history: InfluxHistory | null;
    /** Lift health as the ingest wrote it (`health_daily`); null when no InfluxDB is configured. */
    health: InfluxHealth | null;
    /** Records a write by the request's principal (or 'resident' when anonymous). */
    audit(request: FastifyRequest, entry: Omit<AuditEntry, 'actor' | 'role' | 'ip'>): Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export default fp(
  async (app, deps: ApiDeps) => {
    const directory = new Directory(deps.db);
    await directory.reload();
    const clock = deps.clock ?? Date.now;
    app.decorate('db', deps.db);
    app.decorate('directory', directory);
    app.decorate('stateSource', deps.stateSource);
    app.decorate('clock', clock);
    app.decorate('apiConfig', deps.config);
    app.decorate('publicBaseUrl', deps.publicBaseUrl.replace(/\/+$/, ''));
    app.decorate('alertActions', deps.alertActions ?? null);
    app.decorate('history', deps.influx ? new InfluxHistory(deps.influx) : null);
    app.decorate('health', deps.influx ? new InfluxHealth(deps.influx) : null);
    app.decorateRequest('principal', null);
    app.decorate(
      'audit',
      async (request: FastifyRequest, entry: Omit<AuditEntry, 'actor' | 'role' | 'ip'>) => {
        const p = request.principal;
        await recordAudit(deps.db, clock(), {
          ...entry,
          actor: p?.username ?? 'resident',
          role: p?.role ?? null,
          ip: request.ip,
        });
      },
    );
  },
  { name: 'lift-context' },
);
