// Signs every subgraph HTTP request with the verified JWT claims, per docs/conventions.md:
//
//   x-concord-claims:     base64url(no padding) of the UTF-8 JSON of the verified JWT payload
//   x-concord-timestamp:  Unix time in whole seconds when the gateway signed
//   x-concord-request-id: a fresh random id for this one subgraph request (replay guard)
//   x-concord-signature:  base64url(no padding) of HMAC-SHA256(CONCORD_SIGNING_SECRET,
//                         "concord-v2\n" + subgraph name + "\n" + timestamp + "\n" + request id
//                         + "\n" + claims_header_value + "\n" + hex(sha256(raw body)))
//
// The subgraph name binds the signature to the service it is sent to (a request captured on
// its way to finance does not verify at membership); the request id lets a subgraph refuse a
// mutation it has seen before.
//
// It runs in `onFetch`, the last hook before the HTTP request leaves the gateway, where the
// body is the final serialised string that the subgraph will receive (root fields, `_entities`
// calls and batched calls alike). Hooks that only see the GraphQL execution request
// (`onSubgraphExecute`) run before serialisation and could not sign the exact bytes.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway';

export const CLAIMS_HEADER = 'x-concord-claims';
export const TIMESTAMP_HEADER = 'x-concord-timestamp';
export const SIGNATURE_HEADER = 'x-concord-signature';
export const REQUEST_ID_HEADER = 'x-concord-request-id';
const VERSION = 'concord-v2';

type HeadersLike = Record<string, string> | [string, string][] | Headers | undefined | null;

function headersToRecord(headers: HeadersLike): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (Array.isArray(headers)) {
    for (const [k, v] of headers) out[k.toLowerCase()] = v;
  } else if (typeof (headers as Headers).forEach === 'function') {
    (headers as Headers).forEach((v, k) => {
      out[k.toLowerCase()] = v;
    });
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, string>)) {
      if (v != null) out[k.toLowerCase()] = String(v);
    }
  }
  return out;
}

function bodyBytes(body: unknown): Buffer {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // FormData (file uploads), streams, Blobs: their bytes are not known here, so they cannot be
  // signed. Concord's subgraphs take no uploads; fail loudly instead of sending it unsigned.
  throw new Error('concord-signature: cannot sign a subgraph request body that is not text or bytes');
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url'); // Node's base64url has no padding
}

export interface SignedHeaders {
  [CLAIMS_HEADER]: string;
  [TIMESTAMP_HEADER]: string;
  [REQUEST_ID_HEADER]: string;
  [SIGNATURE_HEADER]: string;
}

export function signRequest(
  secret: string,
  service: string,
  claims: Record<string, unknown>,
  body: unknown,
  now: number = Date.now(),
  requestId: string = randomUUID(),
): SignedHeaders {
  const claimsValue = base64url(JSON.stringify(claims));
  const timestamp = String(Math.floor(now / 1000));
  const bodyHash = createHash('sha256').update(bodyBytes(body)).digest('hex');
  const signature = createHmac('sha256', secret)
    .update(`${VERSION}\n${service}\n${timestamp}\n${requestId}\n${claimsValue}\n${bodyHash}`, 'utf8')
    .digest();
  return {
    [CLAIMS_HEADER]: claimsValue,
    [TIMESTAMP_HEADER]: timestamp,
    [REQUEST_ID_HEADER]: requestId,
    [SIGNATURE_HEADER]: base64url(signature),
  };
}

export interface ConcordSignatureOptions {
  /** CONCORD_SIGNING_SECRET, shared with the subgraphs. */
  secret: string;
  /** Subgraph name by URL (from the supergraph and the CONCORD_SUBGRAPH_<NAME>_URL overrides),
   * for fetches whose execution request does not name its subgraph. */
  subgraphByUrl: Map<string, string>;
}

/**
 * A gateway plugin that signs the verified claims together with the exact request body.
 *
 * The claims come from `context.jwt.payload`, which only the JWT plugin sets after it verified
 * the token (signature, algorithm, issuer, `exp`). Claims that the JWT plugin could forward in
 * `extensions.jwt` are switched off in gateway.config.ts and are never read here.
 */
export function useConcordSignature({ secret, subgraphByUrl }: ConcordSignatureOptions): GatewayPlugin {
  if (!secret) throw new Error('concord-signature: the signing secret is empty');
  return {
    onFetch({ context, options, setOptions, logger, url, executionRequest }) {
      const headers = headersToRecord(options.headers as HeadersLike);
      // Never pass on signature headers that came from anywhere but this plugin.
      delete headers[CLAIMS_HEADER];
      delete headers[TIMESTAMP_HEADER];
      delete headers[SIGNATURE_HEADER];
      delete headers[REQUEST_ID_HEADER];
      const claims = (context as any)?.jwt?.payload;
      const service = subgraphByUrl.get(url) ?? executionRequest?.subgraphName?.toLowerCase();
      if (claims && typeof claims === 'object' && service) {
        Object.assign(headers, signRequest(secret, service, claims, options.body));
      } else {
        // Without verified claims the subgraph refuses the call (401); this only happens for
        // requests outside an authenticated operation, which the JWT plugin already rejects.
        logger?.debug?.('concord-signature: no verified JWT claims in context; request left unsigned');
      }
      setOptions({ ...options, headers });
    },
  };
}
