/**
 * OpenAPI generated from the route schemas, browsable at /docs. Swagger UI styles itself with
 * inline styles, so its pages (and only its pages) carry a CSP of their own that allows inline
 * styles; scripts stay 'self' only, and every other page keeps the strict policy of
 * plugins/security.ts.
 */
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
    // Upgrading requests only where the API is served over https: on a plain-http LAN demo the
    // upgrade would send the UI's own assets to a port that does not speak TLS.
    const https = app.publicBaseUrl.startsWith('https://');
    const docsCsp = [
      "default-src 'self'",
      "base-uri 'self'",
      "connect-src 'self'",
      "font-src 'self' data:",
      "frame-ancestors 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "script-src 'self'",
      "script-src-attr 'none'",
      "style-src 'self' 'unsafe-inline'",
      ...(https ? ['upgrade-insecure-requests'] : []),
    ].join('; ');
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: docsCsp });
  },
  { name: 'lift-docs', dependencies: ['lift-context'] },
);
