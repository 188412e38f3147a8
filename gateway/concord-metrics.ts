// GET /metrics: the Prometheus text of the gateway's metrics (issue 15), collected by Hive
// Gateway's own Prometheus plugin (`prometheus` in gateway.config.ts, with its endpoint off)
// into prom-client's default registry, which is what is served here.
//
// Served by this plugin rather than the built-in endpoint because the gateway's port is the
// public one (an ingress routes every path to it): with CONCORD_METRICS_TOKEN set, /metrics
// answers only `Authorization: Bearer <that token>` (the ServiceMonitor sends it from the
// Secret) and 404 otherwise, as any unknown path; without it (development), anyone on the
// network may read it. prom-client comes with @graphql-hive/gateway (pinned by the lock file).
import { timingSafeEqual } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { register } from 'prom-client';

export const METRICS_PATH = '/metrics';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function useMetricsEndpoint({ token }: { token?: string }): GatewayPlugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH) return;
      const bearer = (request.headers.get('authorization') ?? '').replace(/^Bearer\s+/i, '');
      if (request.method !== 'GET' || (token && !sameToken(bearer, token))) {
        endResponse(new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } }));
        return;
      }
      return register.metrics().then((text) => {
        endResponse(new fetchAPI.Response(text, { status: 200, headers: { 'content-type': register.contentType } }));
      });
    },
  } as GatewayPlugin;
}
