/**
 * Request bodies are validated as sent: Ajv runs with `coerceTypes: false` (app.ts), so
 * `true`, `"100"`, `"1e3"` or `[100]` are not an integer amount. Fastify's default Ajv
 * coerces every part, which once let `amountFen: true` post 1 fen.
 *
 * The URL's parts (querystring, params, headers) are text by nature, so a route whose
 * schema there declares a number, integer or boolean gets one small preValidation step
 * that converts those strings the way Ajv's coercion did (a whole numeric string to a
 * number, "true"/"false" to a boolean, one value to a one-item array); anything else is
 * left as it is for the validator to refuse. Routes whose URL parts are all strings (the
 * QR page) get no extra step.
 */
import type { FastifyRequest, preValidationHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Coerce = (value: unknown) => unknown;
type UrlPart = 'query' | 'params' | 'headers';

const PARTS: readonly [keyof NonNullable<RouteOptions['schema']>, UrlPart][] = [
  ['querystring', 'query'],
  ['params', 'params'],
  ['headers', 'headers'],
];

function toNumber(value: unknown, integer: boolean): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return value;
  return n;
}

function toBoolean(value: unknown): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

/** A converter for one schema, or null when nothing in it needs converting from text. */
export function coercerOf(schema: Schema | undefined): Coerce | null {
  if (!schema || typeof schema !== 'object') return null;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('integer')) return (v) => toNumber(v, true);
  if (types.includes('number')) return (v) => toNumber(v, false);
  if (types.includes('boolean')) return toBoolean;
  if (types.includes('array')) {
    const item = coercerOf(schema.items) ?? ((v: unknown) => v);
    return (v) => (Array.isArray(v) ? v : [v]).map(item);
  }
  if (schema.properties) {
    const fields = Object.entries(schema.properties)
      .map(([key, sub]) => [key, coercerOf(sub)] as const)
      .filter((entry): entry is readonly [string, Coerce] => entry[1] !== null);
    if (fields.length === 0) return null;
    return (v) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const record = v as Record<string, unknown>;
      for (const [key, coerce] of fields) if (record[key] !== undefined) record[key] = coerce(record[key]);
      return v;
    };
  }
  // A union (Type.Union, Type.Optional of one): the first branch that converts, else as is.
  const branches = (schema.anyOf ?? schema.oneOf ?? schema.allOf ?? []).map(coercerOf).filter((c) => c);
  if (branches.length === 0) return null;
  return (v) => {
    for (const coerce of branches) {
      const converted = coerce!(v);
      if (converted !== v) return converted;
    }
    return v;
  };
}

/** The preValidation step for a route's URL parts, or null when they are all strings. */
export function urlPartsCoercer(schema: RouteOptions['schema']): preValidationHookHandler | null {
  if (!schema) return null;
  const steps = PARTS.map(
    ([key, part]) => [part, coercerOf(schema[key] as Schema | undefined)] as const,
  ).filter((entry): entry is readonly [UrlPart, Coerce] => entry[1] !== null);
  if (steps.length === 0) return null;
  return function coerceUrlParts(request: FastifyRequest, _reply, done) {
    for (const [part, coerce] of steps) coerce(request[part]);
    done();
  };
}

export default fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      const step = urlPartsCoercer(route.schema);
      if (!step) return;
      const existing = route.preValidation;
      route.preValidation = existing ? [step, ...(Array.isArray(existing) ? existing : [existing])] : [step];
    });
  },
  { name: 'lift-strict-input' },
);
