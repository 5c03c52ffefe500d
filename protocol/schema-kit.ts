/** Small TypeBox building blocks the protocol's schema modules share. */
import { type TSchema, Type } from '@sinclair/typebox';

/** `T` or JSON null (a column that may be empty). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An identifier in a URL path or a body: elevator, fund, expenditure, alert, ... */
export const Id = Type.String({ minLength: 1, maxLength: 128 });
