// The dashboards web page (issue 12), served by the gateway process at /dashboard/.
//
// A static page (gateway/dashboard/): it holds no data and reads only this gateway's GraphQL
// (/graphql, same origin) with the bearer token the user signed in with. Chart.js is shipped
// from the gateway's own node_modules at /dashboard/vendor/chart.umd.min.js: nothing is loaded
// from another host at run time, and the Content-Security-Policy below forbids it.
//
// Served before the GraphQL pipeline (an `onRequest` hook that ends the response), so the page
// itself needs no token; every figure it shows comes from /graphql, which does. Only GET/HEAD,
// only the files listed here (no path from the URL reaches the file system).
//
// CONCORD_DASHBOARD=0 turns the page off (404, as any unknown path).
//
// Sign-in (signin.js): /dashboard/config.json tells the page how. With CONCORD_OIDC_ISSUER and
// CONCORD_OIDC_CLIENT_ID set, it is the identity provider's OpenID Connect sign-in
// (Authorization Code with PKCE, oidc-client-ts shipped from node_modules like Chart.js at
// /dashboard/vendor/oidc-client-ts.min.js); the access token the provider issues is the
// gateway's bearer JWT (so the provider's JWKS, issuer and audience are CONCORD_JWKS_URL,
// CONCORD_JWT_ISSUER, CONCORD_JWT_AUDIENCE). Without them the page takes a pasted token
// (development: `make token`). The issuer's origin is the one other host the page may
// fetch from (discovery, keys, token endpoint): it is added to connect-src.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayPlugin } from '@graphql-hive/gateway';

export const DASHBOARD_PATH = '/dashboard';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** The identity provider the page signs in with (none: a pasted development token). */
export type DashboardOidc = {
  issuer: string;
  clientId: string;
  scope: string;
  /** Extra authorization-request parameters, e.g. `audience=concord` or `resource=…`. */
  extraQueryParams: Record<string, string>;
};

/** CONCORD_OIDC_* from the environment; throws on a half or malformed configuration. */
export function oidcFromEnv(env: Record<string, string | undefined>): DashboardOidc | null {
  const issuer = env.CONCORD_OIDC_ISSUER?.trim() ?? '';
  const clientId = env.CONCORD_OIDC_CLIENT_ID?.trim() ?? '';
  if (!issuer && !clientId) return null;
  if (!issuer || !clientId) {
    throw new Error('gateway.config: set both CONCORD_OIDC_ISSUER and CONCORD_OIDC_CLIENT_ID, or neither');
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`gateway.config: CONCORD_OIDC_ISSUER must be an absolute URL, got "${issuer}"`);
  }
  if (url.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error('gateway.config: CONCORD_OIDC_ISSUER must be https (plain http only on loopback)');
  }
  const scope = (env.CONCORD_OIDC_SCOPES ?? '').trim() || 'openid profile';
  if (!scope.split(/\s+/).includes('openid')) {
    throw new Error('gateway.config: CONCORD_OIDC_SCOPES must include openid');
  }
  const extraQueryParams = Object.fromEntries(new URLSearchParams((env.CONCORD_OIDC_EXTRA_PARAMS ?? '').trim()));
  return { issuer, clientId, scope, extraQueryParams };
}

// Scripts, styles, images and fetches from this origin only (and the identity provider's
// origin for fetches, when one is configured); no frames, no plugins.
function contentSecurityPolicy(oidc: DashboardOidc | null): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    oidc ? `connect-src 'self' ${new URL(oidc.issuer).origin}` : "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type Asset = { body: Uint8Array; type: string };

/** The page's files by URL path below /dashboard (read once, at start). */
function loadAssets(oidc: DashboardOidc | null): Map<string, Asset> {
  const dir = join(here, 'dashboard');
  const assets = new Map<string, Asset>();
  for (const name of ['index.html', 'dashboard.js', 'dashboard.css', 'i18n.js', 'xlsx.js', 'signin.js']) {
    const ext = name.split('.').pop()!;
    assets.set(`/${name}`, { body: readFileSync(join(dir, name)), type: TYPES[ext]! });
  }
  assets.set('/', assets.get('/index.html')!);
  // Chart.js's UMD bundle, exactly the version package-lock.json pins. A checkout whose
  // node_modules predates it still starts its gateway: the page then says what to run.
  let chart: Uint8Array;
  try {
    chart = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
  } catch {
    console.warn('concord-dashboard: chart.js is not installed (npm ci --prefix gateway): no charts on /dashboard/');
    const message = 'document.addEventListener("DOMContentLoaded", () => document.body.prepend(' +
      'Object.assign(document.createElement("p"), { id: "no-charts", textContent: ' +
      '"chart.js is missing: run npm ci --prefix gateway (or make deps) and restart the gateway." })));';
    chart = new TextEncoder().encode(message);
  }
  assets.set('/vendor/chart.umd.min.js', { body: chart, type: TYPES.js! });
  // oidc-client-ts's browser bundle (global `oidc`), the version package-lock.json pins; only
  // needed where OIDC is configured, and signin.js says what to run if it is missing.
  let client: Uint8Array;
  try {
    // main: dist/umd/oidc-client-ts.js; the browser bundle (global `oidc`) is beside it.
    client = readFileSync(join(dirname(require.resolve('oidc-client-ts')), '..', 'browser', 'oidc-client-ts.min.js'));
  } catch {
    if (oidc) console.warn('concord-dashboard: oidc-client-ts is not installed (npm ci --prefix gateway): no OIDC sign-in');
    client = new TextEncoder().encode('/* oidc-client-ts is missing: run npm ci --prefix gateway */');
  }
  assets.set('/vendor/oidc-client-ts.min.js', { body: client, type: TYPES.js! });
  const config = oidc ? { signIn: 'oidc', oidc } : { signIn: 'token' };
  assets.set('/config.json', { body: new TextEncoder().encode(JSON.stringify(config)), type: TYPES.json! });
  return assets;
}

export function useDashboard({ enabled, oidc = null }: { enabled: boolean; oidc?: DashboardOidc | null }): GatewayPlugin {
  if (!enabled) return {};
  const assets = loadAssets(oidc);
  const CSP = contentSecurityPolicy(oidc);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== DASHBOARD_PATH && !url.pathname.startsWith(`${DASHBOARD_PATH}/`)) return;
      if (url.pathname === DASHBOARD_PATH) {
        endResponse(new fetchAPI.Response(null, { status: 308, headers: { location: `${DASHBOARD_PATH}/` } }));
        return;
      }
      const asset = assets.get(url.pathname.slice(DASHBOARD_PATH.length));
      if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) {
        endResponse(new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } }));
        return;
      }
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : asset.body, {
          status: 200,
          headers: {
            'content-type': asset.type,
            'content-security-policy': CSP,
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
            'cache-control': 'no-cache',
          },
        }),
      );
    },
  };
}
