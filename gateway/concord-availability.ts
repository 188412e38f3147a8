// A subgraph that cannot be reached is a typed, retryable error for the client, never a 500.
//
// Hive Gateway reports a failed subgraph fetch as a masked "Unexpected error."
// (INTERNAL_SERVER_ERROR, HTTP 500) although it knows the cause (ECONNREFUSED). This plugin:
//   - retries a fetch whose connection was refused or could not be made: nothing reached the
//     subgraph, so repeating it cannot apply anything twice; a reset after the request was sent
//     is retried once for a query (a read: repeating it changes nothing; a keep-alive
//     connection the subgraph closed just as it was reused, under load) and NOT for a mutation
//     (it may have run);
//   - if the subgraph is still unreachable, answers for it with a GraphQL error
//     `SERVICE_UNAVAILABLE` that names the service, so the rest of the plan proceeds;
//   - gives the HTTP response status 503 and a `Retry-After` header when any error of the
//     result is SERVICE_UNAVAILABLE.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';

/** Errors where the connection was never made: safe to retry, for queries and mutations alike. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Errors where a request may have reached the subgraph: reported, not retried. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function causeCode(error: unknown): string | undefined {
  let current: any = error;
  for (let depth = 0; current && depth < 6; depth += 1) {
    if (typeof current.code === 'string') return current.code;
    if (Array.isArray(current.errors) && current.errors.length) current = current.errors[0];
    else current = current.cause;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface AvailabilityOptions {
  /** Subgraph name by URL, to name the service in the error. */
  subgraphByUrl: Map<string, string>;
  /** Seconds a client should wait before retrying (the `Retry-After` header). */
  retryAfterSeconds: number;
  /** Pauses between the attempts of a refused connection, in ms. */
  retryDelaysMs: number[];
}

export function unavailableError(service: string, retryAfterSeconds: number, cause: string): GraphQLError {
  return new GraphQLError(
    `The ${service} service is unavailable right now (${cause}); nothing was changed by this part of the request. Retry in ${retryAfterSeconds} s.`,
    {
      extensions: {
        code: 'SERVICE_UNAVAILABLE',
        service,
        retryable: true,
        retryAfterSeconds,
        http: { status: 503, headers: { 'Retry-After': String(retryAfterSeconds) } },
      },
    },
  );
}

export function useSubgraphAvailability({
  subgraphByUrl,
  retryAfterSeconds,
  retryDelaysMs,
}: AvailabilityOptions): GatewayPlugin {
  return {
    onFetch({ url, fetchFn, setFetchFn, executionRequest, logger }) {
      const service = subgraphByUrl.get(url) ?? executionRequest?.subgraphName?.toLowerCase() ?? 'a';
      setFetchFn(async (...args: Parameters<typeof fetchFn>) => {
        for (let attempt = 0; ; attempt += 1) {
          try {
            return await fetchFn(...args);
          } catch (error) {
            const code = causeCode(error) ?? 'unknown';
            const notConnected = NOT_CONNECTED.has(code);
            if (notConnected && attempt < retryDelaysMs.length) {
              await sleep(retryDelaysMs[attempt]);
              continue;
            }
            const isQuery = executionRequest?.operationType === 'query';
            if (isQuery && BROKEN.has(code) && attempt === 0) {
              logger?.warn?.(`subgraph ${service} at ${url}: ${code} on a query; retried once`);
              continue;
            }
            if (!notConnected && !BROKEN.has(code)) throw error;
            logger?.warn?.(
              `subgraph ${service} unreachable at ${url}: ${code} after ${attempt + 1} attempt(s); answered SERVICE_UNAVAILABLE`,
            );
            const body = JSON.stringify({
              data: null,
              errors: [unavailableError(service, retryAfterSeconds, code).toJSON()],
            });
            return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
          }
        }
      });
    },
  } as GatewayPlugin;
}
