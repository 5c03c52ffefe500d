/** OpenAPI generated from the route schemas, browsable at /docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Lift Watch API',
          version: '1',
          description: 'QR status pages for residents, alert review for property firms.',
        },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: 'lw_session' },
            bearer: { type: 'http', scheme: 'bearer' },
          },
        },
      },
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string) ?? `def-${i}` },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  },
  { name: 'lift-docs' },
);
