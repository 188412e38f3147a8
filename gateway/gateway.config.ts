// Concord's Hive Gateway configuration, read by
//   hive-gateway supergraph <supergraph.graphql> --host H --port P
// from this folder (or with `--config-path gateway/gateway.config.ts`).
//
// Environment (docs/conventions.md):
//   CONCORD_ENV                 `development` enables introspection, GraphiQL and the landing page
//   CONCORD_JWT_SECRET          HS256 shared secret (local), or
//   CONCORD_JWKS_URL            RS256 keys from a JWKS endpoint (production); set exactly one
//   CONCORD_JWT_ISSUER          optional: required `iss`
//   CONCORD_SIGNING_SECRET      HMAC secret shared with the subgraphs (required)
//   CONCORD_SUBGRAPH_<NAME>_URL overrides the URL of subgraph <name> from the supergraph
//   CONCORD_MAX_DEPTH (12), CONCORD_MAX_TOKENS (2000)
//   CONCORD_ROUTER_RUNTIME      `1` (default): plan queries with the Rust query planner of
//                               @graphql-hive/router-runtime; `0`: Hive's JavaScript planner
//   OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) enables OTLP/HTTP
//   traces; OTEL_SERVICE_NAME (default `gateway`); OTEL_TRACES_EXPORTER=none disables them.
//   PORT / HOST are read by the hive-gateway CLI itself.
import {
  createInlineSigningKeyProvider,
  createRemoteJwksSigningKeyProvider,
  defineConfig,
  extractFromHeader,
  type GatewayPlugin,
  type JWTAuthPluginOptions,
} from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import { useConcordSignature } from './concord-signature.ts';

const env = process.env;

function fail(message: string): never {
  // Thrown at import time: hive-gateway prints it and exits non-zero.
  throw new Error(`gateway.config: ${message}`);
}

function intFromEnv(name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export const SUBGRAPHS = ['membership', 'governance', 'finance', 'notifications'] as const;

const isDevelopment = (env.CONCORD_ENV ?? 'production').trim() === 'development';

// --- authentication -----------------------------------------------------------------------

const jwtSecret = env.CONCORD_JWT_SECRET ?? '';
const jwksUrl = env.CONCORD_JWKS_URL?.trim() ?? '';
const issuer = env.CONCORD_JWT_ISSUER?.trim() || undefined;
const signingSecret = env.CONCORD_SIGNING_SECRET ?? '';

if (!signingSecret) fail('CONCORD_SIGNING_SECRET is required (the HMAC secret shared with the subgraphs)');
if (jwtSecret && jwksUrl) fail('set either CONCORD_JWT_SECRET (HS256) or CONCORD_JWKS_URL (RS256), not both');
if (!jwtSecret && !jwksUrl) fail('CONCORD_JWT_SECRET (HS256) or CONCORD_JWKS_URL (RS256) is required');

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

// The bearer token, read from `Authorization: Bearer <jwt>`. jsonwebtoken checks `exp` when it
// is present but does not demand it; Concord's tokens must expire, so a token without a numeric
// `exp` is refused here already (before verification, which still happens afterwards).
const bearer = extractFromHeader({ name: 'authorization', prefix: 'Bearer' });
const lookupToken: NonNullable<JWTAuthPluginOptions['tokenLookupLocations']>[0] = async (params) => {
  const found = await bearer(params);
  if (!found?.token) return found;
  const parts = found.token.split('.');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    throw unauthenticated('Invalid authentication token provided');
  }
  if (parts.length !== 3 || !payload || typeof payload !== 'object') {
    throw unauthenticated('Invalid authentication token provided');
  }
  if (typeof (payload as { exp?: unknown }).exp !== 'number') {
    throw unauthenticated('Authentication token has no expiry (exp)');
  }
  return found;
};

const jwt: JWTAuthPluginOptions = {
  signingKeyProviders: [
    jwksUrl
      ? createRemoteJwksSigningKeyProvider({
          jwksUri: jwksUrl,
          cache: true,
          cacheMaxAge: 10 * 60 * 1000,
          rateLimit: true,
          jwksRequestsPerMinute: 10,
          timeout: 5000,
        })
      : createInlineSigningKeyProvider(jwtSecret),
  ],
  tokenLookupLocations: [lookupToken],
  tokenVerification: {
    // Pinned: never accept `none`, and never HS256 where the keys are public RSA keys.
    algorithms: jwksUrl ? ['RS256'] : ['HS256'],
    ...(issuer ? { issuer } : {}),
    ignoreExpiration: false,
    clockTolerance: 5,
  },
  reject: { missingToken: true, invalidToken: true },
  // The verified payload lands in context.jwt.payload, where the signing plugin reads it.
  extendContext: true,
  // Do NOT forward the claims in `extensions.jwt`: that copy is covered by no signature. The
  // subgraphs get the claims only through the signed x-concord-* headers.
  forward: { payload: false, token: false },
};

// --- subgraph transport ---------------------------------------------------------------------

type TransportEntries = NonNullable<Parameters<typeof defineConfig>[0]['transportEntries']>;

const transportEntries: TransportEntries = {
  '*.http': {
    options: {
      // Hive collapses identical in-flight subgraph queries by default, keyed on URL and body but
      // not on the headers this gateway adds in onFetch. Two callers with different claims sending
      // the same query at the same moment would share one subgraph answer, computed for one of
      // them. So: off. (It would also make benchmarks measure the cache.)
      deduplicateInflightRequests: false,
    },
  },
};
for (const name of SUBGRAPHS) {
  const url = env[`CONCORD_SUBGRAPH_${name.toUpperCase()}_URL`]?.trim();
  if (url) transportEntries[name] = { location: url };
}

// --- OpenTelemetry ---------------------------------------------------------------------------

const otlpEndpoint =
  env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
const tracesExporter = (env.OTEL_TRACES_EXPORTER ?? 'otlp').trim();
const tracingEnabled = Boolean(otlpEndpoint) && tracesExporter !== 'none';

if (tracingEnabled) {
  const { openTelemetrySetup } = await import('@graphql-hive/gateway/opentelemetry/setup');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  openTelemetrySetup({
    contextManager: new AsyncLocalStorageContextManager(),
    resource: { serviceName: env.OTEL_SERVICE_NAME?.trim() || 'gateway' },
    // No `url`: the exporter follows the OTel spec and posts to
    // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces.
    traces: { exporter: new OTLPTraceExporter() },
  });
}

// --- query planner ---------------------------------------------------------------------------

// The Rust planner cuts the gateway's CPU per request by about a quarter (ARCHITECTURE.md; not
// re-measured here) and supports all of the above: tests/test_gateway.py runs the production
// gateway with it and the development gateway with the JavaScript planner.
const routerRuntime = (env.CONCORD_ROUTER_RUNTIME ?? '1').trim() !== '0';
const unifiedGraphHandler = routerRuntime
  ? (await import('@graphql-hive/router-runtime')).unifiedGraphHandler
  : undefined;

// --- the config -------------------------------------------------------------------------------

export const gatewayConfig = defineConfig({
  supergraph: env.CONCORD_SUPERGRAPH?.trim() || 'supergraph.graphql',
  ...(unifiedGraphHandler ? { unifiedGraphHandler } : {}),
  jwt,
  transportEntries,
  maxDepth: intFromEnv('CONCORD_MAX_DEPTH', 12),
  maxTokens: intFromEnv('CONCORD_MAX_TOKENS', 2000),
  blockFieldSuggestions: true,
  disableIntrospection: isDevelopment ? false : { disableIf: () => true },
  graphiql: isDevelopment,
  landingPage: isDevelopment,
  // Explicitly off (also the default): see the note on deduplicateInflightRequests above.
  inboundInflightRequestDeduplication: false,
  // Liveness: GET /healthcheck (200 while the process serves). Readiness: GET /readiness
  // (200 once the supergraph is loaded).
  healthCheckEndpoint: '/healthcheck',
  readinessCheckEndpoint: '/readiness',
  ...(tracingEnabled
    ? {
        openTelemetry: {
          traces: true,
          // Continue the caller's W3C trace (traceparent/tracestate) and pass it on to the
          // subgraphs, so one trace runs client -> gateway -> subgraph.
          inheritContext: true,
          propagateContext: true,
        },
      }
    : {}),
  plugins: () => [useConcordSignature({ secret: signingSecret }) as GatewayPlugin],
});
