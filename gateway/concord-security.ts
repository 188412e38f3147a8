// Concord's request guards at the gateway (docs/conventions.md, "Security at the gateway"):
//
//   checkClaims        the verified token's claims against gateway/claims.schema.json, the JSON
//                      Schema of servicekit.auth.claims.Claims (the subgraphs parse the same
//                      model), so a mistyped or unknown claim is refused before any subgraph.
//   useRequestLimits   the HTTP body size limit, checked before the body is read or parsed.
//   useQueryBudget     the query-cost budget and the alias cap, computed from the operation
//                      and its variables before anything is executed.
//   useTypedErrors     every error leaves the gateway with `extensions.code` (the JWT plugin's
//                      own errors carry none), and outside development no error message
//                      suggests names of the schema ("Did you mean ...?").
//
// Why our own cost rule: graphql-armor's cost-limit (which Hive's security plugins come from)
// weighs fields by depth and a fixed factor; it does not read `first`/`last`, so a page of 200
// costs what a page of 1 does. Hive Gateway 2.15 has no cost option of its own (the Rust Hive
// Router's demand control is not part of the gateway).
import { readFileSync } from 'node:fs';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { Ajv } from 'ajv';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLError,
  type GraphQLSchema,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromAST,
} from 'graphql';

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

// --- claims ---------------------------------------------------------------------------------

const claimsSchema = JSON.parse(
  readFileSync(new URL('./claims.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
delete claimsSchema.$comment;
const validateClaims = new Ajv({ allErrors: false, strict: false }).compile(claimsSchema);

/** Refuses (UNAUTHENTICATED) a token payload that does not fit Concord's claim model. */
export function checkClaims(payload: unknown): void {
  if (validateClaims(payload)) return;
  const error = validateClaims.errors?.[0];
  const where = error?.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : 'claims';
  const what =
    error?.keyword === 'additionalProperties'
      ? `unknown claim '${String(error.params.additionalProperty)}'`
      : `claim '${where}' ${error?.message ?? 'is not accepted'}`;
  throw unauthenticated(`The token's claims are not accepted: ${what}`);
}

// --- request size -----------------------------------------------------------------------------

function tooLarge(limit: number): Response {
  return new Response(
    JSON.stringify({
      errors: [
        {
          message: `The request body is larger than the limit of ${limit} bytes.`,
          extensions: { code: 'PAYLOAD_TOO_LARGE', limit },
        },
      ],
    }),
    { status: 413, headers: { 'content-type': 'application/json' } },
  );
}

/** Refuses a request body over `maxBytes` before it is read: by its Content-Length, or (for a
 * chunked body) while it is read, before JSON parsing. */
export function useRequestLimits({ maxBytes }: { maxBytes: number }): GatewayPlugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > maxBytes) {
        endResponse(tooLarge(maxBytes));
      }
    },
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST' || request.headers.get('content-length') !== null) return;
      const type = request.headers.get('content-type') ?? '';
      if (!type.includes('json')) return;
      setRequestParser(async (req: Request) => {
        const reader = req.body?.getReader();
        const chunks: Uint8Array[] = [];
        let size = 0;
        while (reader) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel();
            throw new GraphQLError(`The request body is larger than the limit of ${maxBytes} bytes.`, {
              extensions: { code: 'PAYLOAD_TOO_LARGE', limit: maxBytes, http: { status: 413 } },
            });
          }
          chunks.push(value);
        }
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          return JSON.parse(text);
        } catch {
          throw new GraphQLError('The request body is not valid JSON.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
  } as GatewayPlugin;
}

// --- query cost -------------------------------------------------------------------------------

export interface BudgetOptions {
  /** Most cost points one request may spend. */
  maxCost: number;
  /** Most aliased fields in one document. */
  maxAliases: number;
  /** The size assumed for a list field without `first`/`last` (and not a connection's edges). */
  defaultListSize: number;
}

export interface Cost {
  cost: number;
  aliases: number;
}

function pageSize(
  field: GraphQLField<unknown, unknown>,
  node: { arguments?: readonly { name: { value: string }; value: any }[] },
  variables: Record<string, unknown>,
): number | null {
  for (const name of ['first', 'last']) {
    const definition = field.args.find((a) => a.name === name);
    if (!definition) continue;
    const given = node.arguments?.find((a) => a.name.value === name);
    let value: unknown = given ? valueFromAST(given.value, definition.type, variables) : undefined;
    if (value === undefined || value === null) value = definition.defaultValue;
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.floor(value));
  }
  return null;
}

/**
 * The cost of an operation: every field costs 1 plus its children's cost times its list size.
 * The list size is the field's `first` (or `last`) argument (variables and defaults resolved);
 * a connection's own lists (`edges`, `nodes`) take its size once, not again; any other list
 * counts as `defaultListSize`. So nested lists multiply: 10 alliances x 50 members x 20
 * timeline entries is 10 000 points and more.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  options: BudgetOptions,
): Cost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const operation =
    operations.find((o) => o.name?.value === operationName) ??
    (operations.length === 1 ? operations[0] : undefined);
  let aliases = 0;
  const seenFragments = new Set<string>();

  function selectionCost(
    set: SelectionSetNode,
    parent: GraphQLCompositeType,
    inConnection: boolean,
    stack: readonly string[],
  ): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        if (selection.name.value.startsWith('__')) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        const size = pageSize(field, selection, variables);
        const isList = isListType(getNullableType(field.type));
        const multiplier = size ?? (isList ? (inConnection ? 1 : options.defaultListSize) : 1);
        const named = getNamedType(field.type);
        const children =
          selection.selectionSet && (isObjectType(named) || isInterfaceType(named) || 'getTypes' in named)
            ? selectionCost(selection.selectionSet, named as GraphQLCompositeType, size !== null, stack)
            : 0;
        total += 1 + multiplier * children;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined)
          : parent;
        total += selectionCost(selection.selectionSet, condition ?? parent, inConnection, stack);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || stack.includes(name)) continue; // cycles are refused by validation
        seenFragments.add(name);
        const condition = schema.getType(fragment.typeCondition.name.value) as
          | GraphQLCompositeType
          | undefined;
        total += selectionCost(fragment.selectionSet, condition ?? parent, inConnection, [...stack, name]);
      }
    }
    return total;
  }

  if (!operation) return { cost: 0, aliases: 0 };
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!root) return { cost: 0, aliases: 0 };
  const cost = selectionCost(operation.selectionSet, root, false, []);
  // Aliases in fragments that are never spread still count: they are in the document.
  for (const [name, fragment] of fragments) {
    if (seenFragments.has(name)) continue;
    const stack: SelectionSetNode[] = [fragment.selectionSet];
    while (stack.length) {
      for (const s of stack.pop()!.selections) {
        if (s.kind === Kind.FIELD && s.alias) aliases += 1;
        if ('selectionSet' in s && s.selectionSet) stack.push(s.selectionSet);
      }
    }
  }
  return { cost, aliases };
}

/** Refuses, before execution, an operation over the cost budget or with too many aliases. */
export function useQueryBudget(options: BudgetOptions): GatewayPlugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const { cost, aliases } = operationCost(
        args.schema,
        args.document,
        args.operationName,
        (args.variableValues ?? {}) as Record<string, unknown>,
        options,
      );
      if (aliases > options.maxAliases) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `This query uses ${aliases} aliases; at most ${options.maxAliases} are allowed.`,
              { extensions: { code: 'TOO_MANY_ALIASES', aliases, limit: options.maxAliases } },
            ),
          ],
        });
        return;
      }
      if (cost > options.maxCost) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `This query would cost ${cost} points; the budget is ${options.maxCost} per request. ` +
                `Each field costs 1 plus its selections times its list size (its first/last, ` +
                `${options.defaultListSize} for other lists): ask for smaller pages or fewer nested lists.`,
              { extensions: { code: 'COST_LIMIT_EXCEEDED', cost, budget: options.maxCost } },
            ),
          ],
        });
      }
    },
  } as GatewayPlugin;
}

// --- typed errors -----------------------------------------------------------------------------

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function codeFor(error: { message?: string; extensions?: Record<string, any> }): string {
  const status = error.extensions?.http?.status;
  if (status === 401 || /authenticat|token/i.test(error.message ?? '')) return 'UNAUTHENTICATED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (/^Syntax Error/.test(error.message ?? '')) return 'GRAPHQL_PARSE_FAILED';
  if (/^Variable "\$/.test(error.message ?? '')) return 'BAD_USER_INPUT';
  if (status === 400 || status === undefined) return 'GRAPHQL_VALIDATION_FAILED';
  return 'INTERNAL_SERVER_ERROR';
}

function shape(error: any, hideSuggestions: boolean): any {
  if (!error || typeof error !== 'object') return error;
  const extensions = { ...(error.extensions ?? {}) };
  let message: string = error.message ?? '';
  if (hideSuggestions) message = message.replace(SUGGESTION, '');
  if (!extensions.code) {
    extensions.code = codeFor(error);
    // The JWT plugin answers a bad signature with a bare "Unauthenticated".
    if (extensions.code === 'UNAUTHENTICATED' && message === 'Unauthenticated') {
      message = 'Unauthenticated: a valid bearer token is required.';
    }
  }
  if (extensions.code === 'UNAUTHENTICATED') extensions.http = { ...(extensions.http ?? {}), status: 401 };
  if (extensions.code === 'SERVICE_UNAVAILABLE') {
    // A real GraphQLError, so that the server answers 503 with Retry-After (concord-availability.ts).
    const seconds = Number(extensions.retryAfterSeconds) || 5;
    return new GraphQLError(message, {
      path: error.path,
      extensions: {
        ...extensions,
        http: { status: 503, headers: { 'Retry-After': String(seconds) } },
      },
    });
  }
  if (message === error.message && extensions.code === error.extensions?.code) return error;
  const json = typeof error.toJSON === 'function' ? error.toJSON() : { ...error };
  return { ...json, message, extensions };
}

/** Gives every error of a response an `extensions.code`, and (outside development) strips
 * schema suggestions from every message: enum values, input fields, arguments, types. */
export function useTypedErrors({ hideSuggestions }: { hideSuggestions: boolean }): GatewayPlugin {
  return {
    onResultProcess({ result, setResult }) {
      if (!result || typeof result !== 'object' || Symbol.asyncIterator in result) return;
      const shapeOne = (one: any) =>
        one?.errors?.length ? { ...one, errors: one.errors.map((e: any) => shape(e, hideSuggestions)) } : one;
      setResult(Array.isArray(result) ? result.map(shapeOne) : shapeOne(result));
    },
  } as GatewayPlugin;
}
