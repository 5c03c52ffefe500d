/**
 * The API's dependencies as Fastify decorators: the store's repositories, the process's fleet
 * directory (fleet/directory.ts, loaded before any route runs; kept current by its own
 * change events), the elevator state source, the clock, the Redis shared with other API nodes
 * (when there is one) and the audit log writer.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Directory, FleetDirectory } from '../../fleet/directory.ts';
import type { AuditEntry } from '../../store/repositories/audit.ts';
import type { Store } from '../../store/store.ts';
import { InfluxHealth } from '../data/health.ts';
import { InfluxHistory } from '../data/history.ts';
import type { Principal } from '../data/tenancy.ts';
import type { AlertActions, ApiConfig, ApiDeps, VisitClaims } from '../deps.ts';
import type { SharedRedis } from '../shared-redis.ts';
import type { ElevatorStateSource } from '../state-source.ts';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    directory: Directory;
    /** Re-reads the fleet file (POST /api/v1/fleet/reload); null without FLEET_FILE. */
    fleetReload: ApiDeps['fleetReload'] | null;
    stateSource: ElevatorStateSource;
    clock: () => number;
    apiConfig: ApiConfig;
    publicBaseUrl: string;
    /** The alert lifecycle: people's transitions are stored and published through it. */
    alertActions: AlertActions;
    /** The phone's check-ins and check-outs to the ingest; null when none is wired. */
    visitClaims: VisitClaims | null;
    /** Null when no InfluxDB is configured. */
    history: InfluxHistory | null;
    /** Lift health as the ingest wrote it (`health_daily`); null when no InfluxDB is configured. */
    health: InfluxHealth | null;
    /** Redis shared with the other API nodes (pushes, rate limits); null: this node is alone. */
    sharedRedis: SharedRedis | null;
    /** Records a write by the request's principal (or 'resident' when anonymous). */
    audit(request: FastifyRequest, entry: Omit<AuditEntry, 'actor' | 'role' | 'ip'>): Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export default fp(
  async (app, deps: ApiDeps) => {
    let directory = deps.directory;
    if (!directory) {
      const own = new FleetDirectory({ source: deps.store.fleet, log: deps.log });
      await own.start();
      app.addHook('onClose', () => own.stop());
      directory = own;
    }
    const clock = deps.clock ?? Date.now;
    app.decorate('store', deps.store);
    app.decorate('directory', directory);
    app.decorate('fleetReload', deps.fleetReload ?? null);
    app.decorate('stateSource', deps.stateSource);
    app.decorate('clock', clock);
    app.decorate('apiConfig', deps.config);
    app.decorate('publicBaseUrl', deps.publicBaseUrl.replace(/\/+$/, ''));
    app.decorate('alertActions', deps.alertActions);
    app.decorate('visitClaims', deps.visitClaims ?? null);
    app.decorate('history', deps.influx ? new InfluxHistory(deps.influx) : null);
    app.decorate('health', deps.influx ? new InfluxHealth(deps.influx) : null);
    app.decorate('sharedRedis', deps.sharedRedis ?? null);
    app.decorateRequest('principal', null);
    app.decorate(
      'audit',
      async (request: FastifyRequest, entry: Omit<AuditEntry, 'actor' | 'role' | 'ip'>) => {
        const p = request.principal;
        await deps.store.audit.record(clock(), {
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
