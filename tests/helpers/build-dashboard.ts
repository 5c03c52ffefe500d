/**
 * vitest's global setup: the API serves the console from dashboard/dist and never builds it,
 * so the suites that load /app/ (api-dashboard-files, the e2e browsers) find it built. Runs
 * once per `vitest run`, before any file; a no-op when dist matches its sources.
 */
import { buildDashboard } from '../../dashboard/build.ts';

export default async function setup(): Promise<void> {
  await buildDashboard();
}
