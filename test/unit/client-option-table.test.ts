/**
 * The option table (src/rpc/options.ts `CLIENT_OPTIONS`) is the one definition of each client
 * option: it must name exactly the fields of the public `ClientOptions` interface
 * (src/client-options.ts, read here with the TypeScript compiler), and what it says about each
 * (defaults, YAML keys, checks) must be what the client does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ts from 'typescript';

import { CLIENT_DEFAULTS } from '../../src/client-options.js';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { CLIENT_OPTIONS, type OptionSpec } from '../../src/rpc/options.js';

/** The property names of `interface ClientOptions`, in source order. */
function clientOptionsFields(): string[] {
  const path = new URL('../../src/client-options.ts', import.meta.url);
  const source = ts.createSourceFile('client-options.ts', readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  ts.forEachChild(source, (node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'ClientOptions') {
      for (const member of node.members) {
        if (ts.isPropertySignature(member) && ts.isIdentifier(member.name)) names.push(member.name.text);
      }
    }
  });
  return names;
}

const specs = Object.entries(CLIENT_OPTIONS) as Array<[string, OptionSpec<unknown>]>;

describe('the client option table', () => {
  it('has every ClientOptions field, and no other name', () => {
    const fields = clientOptionsFields();
    assert.ok(fields.length >= 20, `read ${fields.length} fields of ClientOptions`);
    assert.deepEqual([...fields].sort(), Object.keys(CLIENT_OPTIONS).sort());
  });

  it('gives each option a doc line, and a check or the place that checks it', () => {
    for (const [name, spec] of specs) {
      assert.ok(spec.doc.length > 10, `${name} has a doc line`);
      assert.ok(spec.check !== undefined || spec.checkedBy !== undefined, `${name} names its check`);
    }
  });

  it('is where CLIENT_DEFAULTS come from', () => {
    for (const [name, value] of Object.entries(CLIENT_DEFAULTS)) {
      assert.deepEqual(value, CLIENT_OPTIONS[name as keyof typeof CLIENT_OPTIONS].default, name);
    }
  });

  it('uses each YAML key once', () => {
    const keys = specs.flatMap(([, spec]) => (spec.yaml === undefined ? [] : [spec.yaml.key]));
    assert.equal(new Set(keys).size, keys.length);
  });

  it("a number option's check refuses NaN and names the option", () => {
    for (const [name, spec] of specs) {
      if (spec.unit === undefined || spec.check === undefined) continue;
      assert.throws(() => spec.check!(name, Number.NaN), (error: unknown) => error instanceof InvalidArgumentError && error.message.startsWith(name));
    }
  });
});
