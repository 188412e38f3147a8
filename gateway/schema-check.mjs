#!/usr/bin/env node
// Breaking changes of the public API, checked against the last release (part of `make lint`).
//
//   node gateway/schema-check.mjs            compare gateway/supergraph.graphql with the release
//   node gateway/schema-check.mjs --release  make the current supergraph the released one
//                                            (`make release-schema`) and clear the declarations
//
// Options: --baseline FILE (default gateway/releases/supergraph.graphql), --current FILE
// (default gateway/supergraph.graphql), --declared FILE (default
// gateway/releases/breaking-changes.json).
//
// Both supergraphs are reduced to the API schema clients see (the join__/link__ machinery and
// @inaccessible parts removed, @theguild/federation-composition's
// transformSupergraphToPublicSchema) and compared with @graphql-inspector/core. Every change
// it rates BREAKING (a removed field or type, a changed type, a new required argument or input
// field, a removed enum value, ...) fails the check unless declared in the declarations file:
//
//   { "breaking": [ { "type": "FIELD_REMOVED", "path": "Alliance.slug",
//                     "reason": "why clients may lose it" } ] }
//
// `type` and `path` are printed for each undeclared change, ready to paste. A declaration that
// matches no change fails too (it would hide a later one). DANGEROUS changes (a new enum value,
// a new optional argument, ...) are printed as warnings; additions pass.
// Exit status: 0 clean, 1 undeclared or stale declarations, 2 usage or unreadable input.

import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildASTSchema, parse } from 'graphql';
import { transformSupergraphToPublicSchema } from '@theguild/federation-composition';
import { CriticalityLevel, diff } from '@graphql-inspector/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULTS = {
  baseline: path.join(here, 'releases', 'supergraph.graphql'),
  current: path.join(here, 'supergraph.graphql'),
  declared: path.join(here, 'releases', 'breaking-changes.json'),
};
const EMPTY_DECLARATIONS = {
  $comment:
    'Breaking changes of the public API since gateway/releases/supergraph.graphql, each with ' +
    'its type, path and a reason (gateway/schema-check.mjs). `make release-schema` clears it.',
  breaking: [],
};

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { ...DEFAULTS, release: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--release') options.release = true;
    else if (['--baseline', '--current', '--declared'].includes(arg)) {
      const value = argv[++i];
      if (!value) throw new UsageError(`${arg} needs a file`);
      options[arg.slice(2)] = path.resolve(value);
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  return options;
}

function read(file, what) {
  if (!existsSync(file)) throw new UsageError(`${what} ${file} does not exist`);
  return readFileSync(file, 'utf8');
}

export function publicSchema(supergraphSdl, file = 'supergraph') {
  let document;
  try {
    document = parse(supergraphSdl);
  } catch (error) {
    throw new UsageError(`${file} is not valid SDL: ${error.message}`);
  }
  return buildASTSchema(transformSupergraphToPublicSchema(document), { assumeValidSDL: true });
}

export function readDeclarations(text, file) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${error.message}`);
  }
  const list = data?.breaking;
  if (!Array.isArray(list)) throw new UsageError(`${file} needs a "breaking" list`);
  for (const entry of list) {
    if (typeof entry?.type !== 'string' || typeof entry?.path !== 'string' || !entry?.reason) {
      throw new UsageError(
        `${file}: every declaration needs "type", "path" and a "reason": ${JSON.stringify(entry)}`,
      );
    }
  }
  return list;
}

/** Compare two supergraph SDLs; returns {undeclared, declared, stale, dangerous, safe}. */
export async function check(baselineSdl, currentSdl, declarations) {
  const changes = await diff(
    publicSchema(baselineSdl, 'the released supergraph'),
    publicSchema(currentSdl, 'the supergraph'),
  );
  const key = (c) => `${c.type} ${c.path ?? ''}`;
  const declaredKeys = new Map(declarations.map((d) => [key(d), d]));
  const used = new Set();
  const result = { undeclared: [], declared: [], stale: [], dangerous: [], safe: [] };
  for (const change of changes) {
    const level = change.criticality.level;
    if (level === CriticalityLevel.Breaking) {
      const k = key(change);
      if (declaredKeys.has(k)) {
        used.add(k);
        result.declared.push({ change, declaration: declaredKeys.get(k) });
      } else result.undeclared.push(change);
    } else if (level === CriticalityLevel.Dangerous) result.dangerous.push(change);
    else result.safe.push(change);
  }
  result.stale = declarations.filter((d) => !used.has(key(d)));
  return result;
}

function release(options) {
  publicSchema(read(options.current, 'supergraph')); // refuse to release what does not parse
  mkdirSync(path.dirname(options.baseline), { recursive: true });
  copyFileSync(options.current, options.baseline);
  writeFileSync(options.declared, JSON.stringify(EMPTY_DECLARATIONS, null, 2) + '\n');
  console.log(
    `released: ${path.relative(process.cwd(), options.current)} -> ` +
      `${path.relative(process.cwd(), options.baseline)}; declarations cleared`,
  );
  return 0;
}

export async function main(argv = process.argv.slice(2)) {
  let options;
  try {
    options = parseArgs(argv);
    if (options.release) return release(options);
    const baseline = read(options.baseline, 'released supergraph');
    const current = read(options.current, 'supergraph');
    const declarations = existsSync(options.declared)
      ? readDeclarations(readFileSync(options.declared, 'utf8'), options.declared)
      : [];
    const result = await check(baseline, current, declarations);
    for (const change of result.dangerous) console.log(`warning (dangerous): ${change.message}`);
    for (const { change, declaration } of result.declared) {
      console.log(`declared breaking change: ${change.message} (${declaration.reason})`);
    }
    let failed = false;
    if (result.undeclared.length) {
      failed = true;
      console.error(
        `schema check: ${result.undeclared.length} breaking change(s) since the released ` +
          `supergraph (${path.relative(process.cwd(), options.baseline)}):`,
      );
      for (const change of result.undeclared) console.error(`  - ${change.message}`);
      console.error(
        `Keep the old API, or declare each change in ${path.relative(process.cwd(), options.declared)}` +
          ' with a reason:\n' +
          JSON.stringify(
            result.undeclared.map((c) => ({ type: c.type, path: c.path, reason: '...' })),
            null,
            2,
          ),
      );
    }
    if (result.stale.length) {
      failed = true;
      console.error('schema check: declared breaking changes that did not happen (remove them):');
      for (const d of result.stale) console.error(`  - ${d.type} ${d.path}`);
    }
    if (!failed) {
      console.log(
        `schema check: no undeclared breaking change (${result.safe.length} safe, ` +
          `${result.dangerous.length} dangerous, ${result.declared.length} declared)`,
      );
    }
    return failed ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`schema-check: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
