// Concord's Hive Gateway configuration, read by
//   hive-gateway supergraph <supergraph.graphql> --host H --port P
// from this folder (or with `--config-path gateway/gateway.config.ts`).
//
// Environment (docs/conventions.md):
//   CONCORD_ENV                 `development` enables introspection, GraphiQL and the landing page
//   CONCORD_GRAPHIQL_TOKEN_FILE development only: a file holding the token GraphiQL is signed in
//                               with (read on every page load; `make up` writes it)
//   CONCORD_JWT_SECRET          HS256 shared secret (local), or
//   CONCORD_JWKS_URL            RS256 keys from a JWKS endpoint (production); set exactly one
//   CONCORD_JWT_ISSUER          required `iss` (required setting in production)
//   CONCORD_JWT_AUDIENCE        required `aud`, comma-separated alternatives (required setting
//                               in production)
//   CONCORD_SIGNING_SECRET      HMAC secret shared with the subgraphs (required)
//   CONCORD_SUBGRAPH_<NAME>_URL overrides the URL of subgraph <name> from the supergraph
//   CONCORD_MAX_DEPTH (12), CONCORD_MAX_TOKENS (2000), CONCORD_MAX_COST (10000),
//   CONCORD_COST_DEFAULT_LIST (20), CONCORD_MAX_ALIASES (10),
//   CONCORD_MAX_REQUEST_BYTES (4194304)
//   CONCORD_PERSISTED_DOCUMENTS a JSON file {"<id>": "<query>"}: only those operations are
//                               accepted (clients send extensions.persistedQuery.sha256Hash
//                               or documentId); ignored, with a warning, in development
//   CONCORD_DASHBOARD           `1` (default): serve the dashboards page at /dashboard/
//                               (concord-dashboard.ts, gateway/dashboard/); `0`: not served
//   CONCORD_METRICS_TOKEN       when set, GET /metrics (Prometheus) answers only
//                               `Authorization: Bearer <token>` (concord-metrics.ts)
//   CONCORD_OIDC_ISSUER,        the page's OpenID Connect sign-in (Authorization Code + PKCE,
//   CONCORD_OIDC_CLIENT_ID      a public client); the provider's access tokens are this
//                               gateway's JWTs (its JWKS/issuer/audience above). Unset: the page
//                               takes a pasted token (development)
//   CONCORD_OIDC_SCOPES         default `openid profile`
//   CONCORD_OIDC_EXTRA_PARAMS   extra authorization-request parameters, URL-encoded
//                               (e.g. `audience=concord` for providers that need it)
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
import { readFileSync } from 'node:fs';
import { checkClaims, unauthenticated, useQueryBudget, useRequestLimits, useTypedErrors } from './concord-security.ts';
import { useConcordSignature } from './concord-signature.ts';
import { useConcordSubscriptions } from './concord-subscriptions.ts';
import { useSubgraphAvailability } from './concord-availability.ts';
import { graphiqlOptions, renderConcordLaboratory } from './laboratory.ts';
import { oidcFromEnv, useDashboard } from './concord-dashboard.ts';
import { useMetricsEndpoint } from './concord-metrics.ts';

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

const isDevelopment = (env.CONCORD_ENV ?? 'production').trim() === 'development';

// --- authentication -----------------------------------------------------------------------

const jwtSecret = env.CONCORD_JWT_SECRET ?? '';
const jwksUrl = env.CONCORD_JWKS_URL?.trim() ?? '';
const issuer = env.CONCORD_JWT_ISSUER?.trim() || undefined;
const audience = (env.CONCORD_JWT_AUDIENCE ?? '')
  .split(',')
  .map((a) => a.trim())
  .filter(Boolean);
const signingSecret = env.CONCORD_SIGNING_SECRET ?? '';

if (!signingSecret) fail('CONCORD_SIGNING_SECRET is required (the HMAC secret shared with the subgraphs)');
if (jwtSecret && jwksUrl) fail('set either CONCORD_JWT_SECRET (HS256) or CONCORD_JWKS_URL (RS256), not both');
if (!jwtSecret && !jwksUrl) fail('CONCORD_JWT_SECRET (HS256) or CONCORD_JWKS_URL (RS256) is required');
// A token issued by anyone for any application would do otherwise (another app of the same
// identity provider, signed with the same keys): production pins both.
if (!isDevelopment && !issuer) fail('CONCORD_JWT_ISSUER is required outside development');
if (!isDevelopment && audience.length === 0) fail('CONCORD_JWT_AUDIENCE is required outside development');

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
  // The claim model (servicekit.auth.claims): types, known roles, no unknown claims. Checked
  // on the payload before the signature, and the payload cannot change after it: a refusal
  // either way, before anything reaches a subgraph.
  checkClaims(payload);
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
    ...(audience.length ? { audience: audience.length === 1 ? audience[0] : audience } : {}),
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

// The dashboards page's sign-in: the identity provider whose access tokens this gateway
// verifies (so only with CONCORD_JWKS_URL: an HS256 secret is never handed to a provider).
let dashboardOidc: ReturnType<typeof oidcFromEnv>;
try {
  dashboardOidc = oidcFromEnv(env);
} catch (error) {
  fail((error as Error).message.replace(/^gateway\.config: /, ''));
}
if (dashboardOidc && !jwksUrl) fail('CONCORD_OIDC_ISSUER needs CONCORD_JWKS_URL (the provider\'s keys)');

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
const supergraphPath = env.CONCORD_SUPERGRAPH?.trim() || 'supergraph.graphql';
// Which subgraph a fetch goes to, by URL: the signature names it (concord-signature.ts).
const subgraphByUrl = new Map<string, string>();
const subgraphNames = new Set<string>();
const supergraphCandidates = [process.argv.find((a) => a.endsWith('.graphql')), supergraphPath];
for (const candidate of supergraphCandidates) {
  if (!candidate) continue;
  try {
    const sdl = readFileSync(candidate, 'utf8');
    for (const m of sdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) {
      subgraphByUrl.set(m[2]!, m[1]!);
      subgraphNames.add(m[1]!);
    }
    break;
  } catch {
    // not this one
  }
}
// The subgraphs are the ones the supergraph names (composed from the one list of the services,
// libs/servicekit/src/servicekit/services.json): no second list to keep here.
for (const name of subgraphNames) {
  const url = env[`CONCORD_SUBGRAPH_${name.toUpperCase()}_URL`]?.trim();
  if (url) {
    transportEntries[name] = { location: url };
    subgraphByUrl.set(url, name);
  }
}

// --- persisted documents ---------------------------------------------------------------------

const persistedPath = env.CONCORD_PERSISTED_DOCUMENTS?.trim() || '';
let persistedDocuments: Record<string, string> | undefined;
if (persistedPath && isDevelopment) {
  console.warn('gateway.config: CONCORD_PERSISTED_DOCUMENTS is ignored in development');
} else if (persistedPath) {
  try {
    persistedDocuments = JSON.parse(readFileSync(persistedPath, 'utf8'));
  } catch (error) {
    fail(`CONCORD_PERSISTED_DOCUMENTS: cannot read ${persistedPath}: ${String(error)}`);
  }
  if (!persistedDocuments || typeof persistedDocuments !== 'object' || Array.isArray(persistedDocuments)) {
    fail('CONCORD_PERSISTED_DOCUMENTS must hold a JSON object {"<id>": "<query>"}');
  }
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
  supergraph: supergraphPath,
  ...(unifiedGraphHandler ? { unifiedGraphHandler } : {}),
  jwt,
  transportEntries,
  maxDepth: intFromEnv('CONCORD_MAX_DEPTH', 12),
  maxTokens: intFromEnv('CONCORD_MAX_TOKENS', 2000),
  blockFieldSuggestions: true,
  ...(persistedDocuments
    ? {
        persistedDocuments: {
          getPersistedOperation: (id: string) => persistedDocuments![id] ?? null,
          allowArbitraryDocuments: false,
          customErrors: {
            notFound: { message: 'This operation is not a persisted document of this API.', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
            persistedQueryOnly: { message: 'Only persisted documents are accepted here: send its id.', extensions: { code: 'PERSISTED_QUERY_REQUIRED' } },
            keyNotFound: { message: 'Only persisted documents are accepted here: send its id.', extensions: { code: 'PERSISTED_QUERY_REQUIRED' } },
          },
        },
      }
    : {}),
  disableIntrospection: isDevelopment ? false : { disableIf: () => true },
  // Development: Hive Laboratory signed in with the token from CONCORD_GRAPHIQL_TOKEN_FILE
  // (laboratory.ts). Production: no GraphiQL at all.
  graphiql: isDevelopment ? graphiqlOptions(env.CONCORD_GRAPHIQL_TOKEN_FILE?.trim()) : false,
  ...(isDevelopment ? { renderGraphiQL: renderConcordLaboratory } : {}),
  landingPage: isDevelopment,
  // Explicitly off (also the default): see the note on deduplicateInflightRequests above.
  inboundInflightRequestDeduplication: false,
  // Liveness: GET /healthcheck (200 while the process serves). Readiness: GET /readiness
  // (200 once the supergraph is loaded).
  healthCheckEndpoint: '/healthcheck',
  readinessCheckEndpoint: '/readiness',
  // Prometheus metrics (served at GET /metrics by concord-metrics.ts, behind a token in
  // production), scraped like the services' (the chart's ServiceMonitor): HTTP requests and
  // their duration; each operation's duration and its errors by code and phase; each subgraph
  // call's duration and errors, by subgraph.
  prometheus: {
    endpoint: false,
    metrics: {
      graphql_yoga_http_duration: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_gateway_fetch_duration: true,
      graphql_gateway_subgraph_execute_duration: true,
      graphql_gateway_subgraph_execute_errors: true,
    },
  },
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
  plugins: () => [
    useMetricsEndpoint({ token: env.CONCORD_METRICS_TOKEN?.trim() || undefined }),
    useDashboard({ enabled: (env.CONCORD_DASHBOARD ?? '1').trim() !== '0', oidc: dashboardOidc }),
    useTypedErrors({ hideSuggestions: !isDevelopment }),
    useRequestLimits({ maxBytes: intFromEnv('CONCORD_MAX_REQUEST_BYTES', 4 * 1024 * 1024) }),
    useQueryBudget({
      maxCost: intFromEnv('CONCORD_MAX_COST', 10000),
      maxAliases: intFromEnv('CONCORD_MAX_ALIASES', 10),
      defaultListSize: intFromEnv('CONCORD_COST_DEFAULT_LIST', 20),
    }),
    useConcordSignature({ secret: signingSecret, subgraphByUrl }) as GatewayPlugin,
    // Subscriptions: one signed WebSocket per subscription to its subgraph (SSE to clients).
    useConcordSubscriptions({ secret: signingSecret, subgraphByUrl }) as GatewayPlugin,
    useSubgraphAvailability({
      subgraphByUrl,
      retryAfterSeconds: intFromEnv('CONCORD_RETRY_AFTER_SECONDS', 5),
      retryDelaysMs: [100, 400],
    }),
  ],
});
