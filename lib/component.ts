/**
 * The lifecycle every long-lived piece of a process shares: a name for the logs, `start()`
 * and `stop()`. Building a component does no I/O; `start()` opens, listens or connects, and
 * `stop()` undoes it. A process starts its components in order and stops the ones that
 * started in reverse order (`lib/run-main.ts` does it for the mains), so a later component
 * may rely on an earlier one while it runs.
 *
 * A component reads what an earlier one produced only inside its own `start()` (through a
 * `Resource`'s `value`, or a getter), never while it is being built: nothing exists yet then.
 */

export interface Component {
  /** For the logs: `registry`, `broker`, `ingest`, `api`. */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A component whose start produces a value later components use (a database handle, a URL). */
export interface Resource<T> extends Component {
  /** The value `start()` produced; throws before it (a component used out of order). */
  readonly value: T;
}

/** `open` on start, `close(value)` on stop; `value` in between. */
export function resource<T>(
  name: string,
  open: () => Promise<T> | T,
  close: (value: T) => Promise<unknown> | unknown = () => undefined,
): Resource<T> {
  let opened: { value: T } | null = null;
  return {
    name,
    get value(): T {
      if (!opened) throw new Error(`${name} is used before it started`);
      return opened.value;
    },
    async start() {
      opened = { value: await open() };
    },
    async stop() {
      if (!opened) return;
      const { value } = opened;
      opened = null;
      await close(value);
    },
  };
}

/** A step run once at start that leaves nothing to stop (load the fleet, print the banner). */
export function step(name: string, run: () => Promise<unknown> | unknown): Component {
  return {
    name,
    async start() {
      await run();
    },
    async stop() {},
  };
}
