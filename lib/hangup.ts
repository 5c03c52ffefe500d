/**
 * SIGHUP as a daemon operator expects it: "re-read your configuration file", here the fleet
 * file (`kill -HUP`, `systemctl reload`). A component for a main: it listens from start to
 * stop; a reload that fails is logged with its code and changes nothing, the process goes on.
 */
import { type Resource, resource } from './component.ts';
import type { Logger } from './logger.ts';

export function reloadOnHangup(
  what: string,
  reload: () => Promise<unknown>,
  log: Logger,
): Resource<() => void> {
  return resource(
    `${what} reload on SIGHUP`,
    () => {
      const onHangup = () => {
        log.info({ what }, `SIGHUP: reloading the ${what}`);
        reload().catch((error: unknown) => {
          log.error({ err: error, what }, `${what} not reloaded; nothing changed`);
        });
      };
      process.on('SIGHUP', onHangup);
      return onHangup;
    },
    (onHangup) => process.off('SIGHUP', onHangup),
  );
}
