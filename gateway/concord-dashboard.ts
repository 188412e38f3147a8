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
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

// Scripts, styles, images and fetches from this origin only; no frames, no plugins.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type Asset = { body: Uint8Array; type: string };

/** The page's files by URL path below /dashboard (read once, at start). */
function loadAssets(): Map<string, Asset> {
  const dir = join(here, 'dashboard');
  const assets = new Map<string, Asset>();
  for (const name of ['index.html', 'dashboard.js', 'dashboard.css', 'i18n.js', 'xlsx.js']) {
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
  return assets;
}

export function useDashboard({ enabled }: { enabled: boolean }): GatewayPlugin {
  if (!enabled) return {};
  const assets = loadAssets();
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
