/**
 * The bounds of a device message, in one place: the schemas (messages.ts), the pre-parse
 * scan (json-scan.ts), the published JSON Schemas and docs/protocol.md all read these.
 * A device is authenticated but not trusted: one message 6,000 levels deep once stopped the
 * whole pipeline (issue 12), and a `floor` of 1e300 or a `run_count` of 1e21 passed as
 * integers that InfluxDB then refused. Each bound says why it is where it is.
 */

/** Device time window, epoch ms: 2000-01-01 .. 2100-01-01 UTC. A clock outside it is broken, not early. */
export const TS_MIN = Date.UTC(2000, 0, 1);
export const TS_MAX = Date.UTC(2100, 0, 1);

/**
 * Counters (`seq`, `run_count`) stop at 2^53 − 1: beyond it a JSON number is no longer an
 * exact integer in JavaScript (2^63 reads back as 9223372036854775808, and 1e21 is written
 * `1e+21`, which line protocol refuses). A device that needs more has to wrap.
 */
export const COUNTER_MAX = Number.MAX_SAFE_INTEGER;

/** Landing numbers: basements to -10, the tallest buildings in service have under 170 floors. */
export const FLOOR_MIN = -10;
export const FLOOR_MAX = 300;

/** Car height above the lowest landing: a little below it (pit, overtravel), at most 1 km of travel. */
export const POSITION_M_MIN = -50;
export const POSITION_M_MAX = 1000;

/**
 * Car speed: the fastest cars in service run at 21 m/s (Guangzhou CTF); 30 m/s leaves room
 * for the overspeed readings the rules must still see.
 */
export const SPEED_MPS_MAX = 30;

/** Car load: the heaviest goods and vehicle lifts carry tens of tonnes. */
export const LOAD_KG_MAX = 100_000;

/** Vibration: the full scale of a ±16 g accelerometer. */
export const VIBRATION_MG_MAX = 16_000;

/** TSG T5002 item numbers done on a visit: there are at most 200 items, each listed once. */
export const MAINTENANCE_ITEMS_MAX = 200;

/**
 * Condition measurements (door_close_ms, stop_error_mm, stop_distance_mm): representable only,
 * far beyond any physical value; the health stage judges the physical range per value.
 */
export const CONDITION_MEASURE_MAX = 1_000_000;

/**
 * Values kept as the device sent them: an event's `detail` and any field the protocol does
 * not know (kept so a newer device is not rejected by an older ingest). Nesting counts the
 * value itself: `{"a":[1]}` is 2 levels, a string 0. `detail` is an object, so its members
 * have `KEPT_MAX_DEPTH - 1` levels left.
 */
export const KEPT_MAX_DEPTH = 4;
export const KEPT_OBJECT_MAX_KEYS = 32;
export const KEPT_ARRAY_MAX_ITEMS = 64;
export const KEPT_STRING_MAX_CHARS = 256;
/** Unknown fields per message, next to the channel's own. */
export const UNKNOWN_FIELDS_MAX = 16;
/**
 * Key names in kept values: 1–64 characters, no control characters, and never a name that
 * means something to a JavaScript object (`__proto__`, `constructor`, `prototype`), so no
 * consumer that merges a kept value into an object can have its prototype changed.
 */
export const KEPT_KEY_PATTERN = '^(?!(?:__proto__|constructor|prototype)$)[^\\u0000-\\u001f]{1,64}$';

/**
 * Whole payload, checked before JSON.parse: a bounded, non-recursive scan refuses a payload
 * over these before the parser (or anything after it that recurses) sees it. The envelope
 * object is one level, its kept values add at most `KEPT_MAX_DEPTH`. 16 KiB holds the
 * largest valid message (a check-out listing 200 items is under 1.5 KiB) many times over.
 */
export const PAYLOAD_MAX_BYTES = 16 * 1024;
export const PAYLOAD_MAX_DEPTH = 1 + KEPT_MAX_DEPTH;
