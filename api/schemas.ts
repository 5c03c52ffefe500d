/**
 * The API's side of the HTTP contract: the schemas themselves live in protocol/http.ts
 * (the dashboard reads them too); here, the helpers the routes use with them.
 */
import { type TSchema, Type } from '@sinclair/typebox';

export * from '../protocol/http.ts';

/** Every JSON route answers its errors in the same shape. */
export function replies<T extends Record<number, TSchema>>(ok: T) {
  return { ...ok, '4xx': Type.Ref('ErrorResponse'), '5xx': Type.Ref('ErrorResponse') };
}

/** A JSON column as the API returns it: null when absent or unreadable. */
export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
