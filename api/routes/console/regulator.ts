/**
 * GET /regulator/{dataset}: the GB/T 24476 data sets for a government platform to pull
 * (basic_info, running_status, statistics, fault_records; protocol/regulator.ts). Admins and
 * the `regulator` role, which can read nothing else (a platform is given a regulator's API
 * token, never an admin's); `estate` narrows to one estate, `since`
 * (epoch ms) to fault records touched since. The same items the push adapter sends.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { chinaTime, REGULATOR_DATASETS, REGULATOR_ITEMS } from '../../../protocol/regulator.ts';
import { notFound, REGULATOR_READERS, requireRole } from '../../data/tenancy.ts';
import { replies } from '../../schemas.ts';

const regulatorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  for (const dataset of REGULATOR_DATASETS) {
    app.get(
      `/regulator/${dataset}`,
      {
        schema: {
          tags: ['regulator'],
          summary: `GB/T 24476 data set: ${dataset}`,
          querystring: Type.Object({
            estate: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            since: Type.Optional(
              Type.Integer({ minimum: 0, description: 'fault_records: touched since (epoch ms)' }),
            ),
          }),
          response: replies({
            200: Type.Object({
              dataset: Type.Literal(dataset),
              created_at: Type.String(),
              items: Type.Array(REGULATOR_ITEMS[dataset]),
            }),
          }),
        },
      },
      async (request) => {
        requireRole(request.principal, REGULATOR_READERS);
        const { estate, since } = request.query;
        if (estate !== undefined && !app.directory.estate(estate)) throw notFound('Estate');
        const items = await app.regulator.build(dataset, {
          estateIds: estate === undefined ? null : [estate],
          ...(since !== undefined ? { since } : {}),
        });
        return { dataset, created_at: chinaTime(app.clock()), items };
      },
    );
  }
};

export default regulatorRoutes;
