// Subscriptions through the gateway, signed like every other subgraph request.
//
// Clients subscribe to the gateway over SSE (POST /graphql with `Accept: text/event-stream`,
// Hive Gateway's default), with the same `Authorization: Bearer <jwt>` as their queries: the
// JWT plugin, the claims check and the limits apply before anything reaches a subgraph, and
// no token is UNAUTHENTICATED as for a query.
//
// Towards the subgraph, strawberry speaks graphql-transport-ws only (ARCHITECTURE.md), and a
// WebSocket has no `onFetch` where concord-signature.ts could sign a body. So this plugin
// replaces the executor of each subscription (`onSubgraphExecute`, operation type
// subscription) by one of its own: one socket per subscription, its upgrade request carrying
// the signed headers of concord-signature.ts, with the operation standing for the body:
//
//   x-concord-operation: base64url of JSON {query, variables}, the exact operation it will run
//   x-concord-claims / -timestamp / -request-id / -signature: as for HTTP, over those bytes
//
// The subgraph (servicekit.auth.middleware, servicekit.graphql.live) verifies them on the
// upgrade and lets the socket run that one operation, once. Nothing is retried: a socket that
// drops ends the client's subscription with SUBGRAPH_UNAVAILABLE (a retry after five minutes
// would carry an expired signature anyway); the client subscribes again.
//
// graphql-ws and ws are not in package.json: they come with @graphql-hive/gateway (its WebSocket
// transport, @graphql-mesh/transport-ws, depends on both), pinned by package-lock.json, so the
// versions here are always the gateway's own.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { getOperationAST, print, type DocumentNode } from 'graphql';
import { createClient, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { base64url, signRequest } from './concord-signature.ts';

export const OPERATION_HEADER = 'x-concord-operation';

export interface ConcordSubscriptionsOptions {
  secret: string;
  subgraphByUrl: Map<string, string>;
}

function toWs(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://');
}

function failure(message: string, code = 'SUBGRAPH_UNAVAILABLE'): ExecutionResult {
  return { errors: [{ message, extensions: { code } } as any] };
}

async function* signedSubscription(
  url: string,
  headers: Record<string, string>,
  payload: { query: string; variables: Record<string, unknown> },
  signal: AbortSignal | undefined,
): AsyncGenerator<ExecutionResult> {
  class SignedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url,
    webSocketImpl: SignedWebSocket,
    lazy: true,
    lazyCloseTimeout: 0,
    retryAttempts: 0,
  });
  const results = client.iterate(payload);
  const stop = () => void results.return?.(undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const result of results) yield result as ExecutionResult;
  } catch (error) {
    // A refused upgrade or a dropped socket: a CloseEvent or an Error, never a GraphQL result.
    const reason = (error as { reason?: string; message?: string })?.reason || (error as Error)?.message;
    yield failure(`The live connection to the service ended${reason ? `: ${reason}` : ''}. Subscribe again.`);
  } finally {
    signal?.removeEventListener('abort', stop);
    await client.dispose();
  }
}

export function useConcordSubscriptions({ secret, subgraphByUrl }: ConcordSubscriptionsOptions): GatewayPlugin {
  if (!secret) throw new Error('concord-subscriptions: the signing secret is empty');
  return {
    onSubgraphExecute({ subgraphName, transportEntry, executionRequest, setExecutor, log }) {
      const operation = getOperationAST(executionRequest.document as DocumentNode, executionRequest.operationName);
      if (operation?.operation !== 'subscription') return;
      setExecutor((request) => {
        const claims = (request.context as any)?.jwt?.payload;
        const location = transportEntry?.location;
        const service = (location && subgraphByUrl.get(location)) ?? subgraphName.toLowerCase();
        if (!claims || typeof claims !== 'object' || !location) {
          // The JWT plugin refuses unauthenticated operations before this; never send one unsigned.
          log?.warn?.('concord-subscriptions: no verified claims; subscription not forwarded');
          return failure('Authentication is required.', 'UNAUTHENTICATED');
        }
        const query = print(request.document);
        const variables = (request.variables ?? {}) as Record<string, unknown>;
        const signed = JSON.stringify({ query, variables });
        const headers = {
          ...signRequest(secret, service, claims, signed),
          [OPERATION_HEADER]: base64url(signed),
        } as Record<string, string>;
        // No operationName: a subgraph request holds one operation, and the socket runs only
        // the signed one (servicekit.graphql.live compares query and variables).
        const payload = { query, variables };
        const signal = (request as any).signal ?? (request.info as any)?.signal;
        return signedSubscription(toWs(location), headers, payload, signal);
      });
    },
  };
}
