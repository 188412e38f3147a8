// The development GraphiQL page: Hive Laboratory (Hive Gateway 2.15's default page), signed in.
//
// Every request to this gateway needs a bearer token, the introspection query of the page too.
// Hive's own renderer (@graphql-hive/render-laboratory) passes only a few of graphql-yoga's
// GraphiQL options on to the Laboratory (credentials, timeout, GET, subscription protocol,
// introspection method) and drops `headers` and `defaultQuery`; so the page polled the schema
// without a token, was refused, and showed "Aborted because of schema polling error".
//
// This renderer keeps Hive's page and hands the Laboratory two yoga options it ignores:
//   headers       -> the introspection headers (Settings > Introspection headers), and the
//                    headers of a ready-made operation;
//   defaultQuery  -> that operation's query (opened in a tab on the first visit).
// It does so by wrapping `HiveLaboratory.renderLaboratory(root, props)` in the page before it
// runs. The Laboratory keeps the user's own operations and tabs in localStorage; only the
// ready-made operation's headers are refreshed on each load (a fresh token after `make up`).
//
// `graphiqlOptions()` reads the token from CONCORD_GRAPHIQL_TOKEN_FILE on every page load
// (`make up` writes the operator token it prints there); without it, the page says in its
// query how to set a token. Only used with CONCORD_ENV=development (gateway.config.ts).
import { readFileSync } from 'node:fs';
import { renderLaboratory } from '@graphql-hive/render-laboratory';
import type { GraphiQLOptions } from 'graphql-yoga';

export const OPERATION_ID = 'concord-readme';
const RENDER_CALL = 'HiveLaboratory.renderLaboratory(';

// The README's "one query, four subgraphs" (README.md, An end-to-end example, step 5).
const README_QUERY = `{
  alliance(slug: "aii") {
    name
    members(first: 3) { totalCount totalsByTier { tier count } }
    bodies { kind name }
    budgets { fiscalYear status }
    myNotifications { totalCount }
  }
}
`;

const SIGNED_IN =
  '# Signed in as the platform operator that `make up` printed (see Headers below).\n' +
  '# Another role: `make token ROLE=secretariat ALLIANCE=aii`, then paste it under Headers.\n';
const NO_TOKEN =
  '# No token set: put {"authorization": "Bearer <token from make up>"} under Headers and in\n' +
  '# Introspection settings (headers), then reload the schema.\n';

function readToken(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined; // not written yet: the page explains how to set one
  }
}

/** yoga GraphiQL options for the development page, read afresh for every page load. */
export function graphiqlOptions(tokenFile: string | undefined): () => GraphiQLOptions {
  return () => {
    const token = readToken(tokenFile);
    return {
      title: 'Concord GraphQL (development)',
      headers: JSON.stringify(token ? { authorization: `Bearer ${token}` } : {}, null, 2),
      defaultQuery: (token ? SIGNED_IN : NO_TOKEN) + README_QUERY,
    };
  };
}

// Runs in the browser, between the Laboratory bundle and its render call. Plain JavaScript in
// a string (not a compiled function's source, which a TypeScript loader may decorate).
const WRAP_RENDER = `function (concord) {
  var lab = window.HiveLaboratory, render = lab.renderLaboratory;
  function stored(key) {
    try { return JSON.parse(localStorage.getItem('hive-laboratory:' + key) || 'null'); }
    catch (e) { return null; }
  }
  lab.renderLaboratory = function (root, props) {
    var settings = Object.assign({}, props.defaultSettings);
    settings.introspection = Object.assign({}, settings.introspection, { headers: concord.headers });
    var operations = stored('operations') || [];
    var ours = operations.find(function (op) { return op.id === concord.operationId; });
    if (ours) ours.headers = concord.headers;
    else operations.unshift({ id: concord.operationId, name: concord.name, query: concord.query,
                              variables: '{}', headers: concord.headers, extensions: '{}' });
    var tabs = stored('tabs') || [], activeTabId = stored('activeTabId') || null;
    if (tabs.length === 0) {
      tabs = [{ id: concord.operationId, type: 'operation',
                data: { id: concord.operationId, name: concord.name } }];
      activeTabId = concord.operationId;
    }
    var extra = { defaultSettings: settings, defaultOperations: operations, defaultTabs: tabs,
                  defaultActiveTabId: activeTabId };
    if (activeTabId === concord.operationId) extra.defaultActiveOperationId = concord.operationId;
    return render(root, Object.assign({}, props, extra));
  };
}`;

/** `renderGraphiQL` for the gateway: Hive's Laboratory page plus yoga's `headers`/`defaultQuery`. */
export function renderConcordLaboratory(options?: GraphiQLOptions): string {
  const html = renderLaboratory(options);
  const at = html.indexOf(RENDER_CALL);
  if (at < 0 || html.indexOf(RENDER_CALL, at + 1) >= 0) {
    // A new @graphql-hive/render-laboratory changed its page: fail loudly (tests/test_graphiql*).
    throw new Error('laboratory.ts: expected exactly one HiveLaboratory.renderLaboratory( call');
  }
  const concord = {
    headers: options?.headers ?? '{}',
    query: options?.defaultQuery ?? NO_TOKEN + README_QUERY,
    operationId: OPERATION_ID,
    name: 'README query',
  };
  // `<` escaped so that no string in the JSON can close the <script> element.
  const data = JSON.stringify(concord).replace(/</g, '\\u003c');
  return `${html.slice(0, at)}(${WRAP_RENDER})(${data});\n${html.slice(at)}`;
}
