// The native pruner (native/json_prune.cc) and the module projection behind it: a pruned body gives every template
// the result the whole body gives, accepts exactly what JSON.parse accepts, and anything else parses whole.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../src/config/load.js';
import { PRESET_NAMES } from '../../src/config/srs-presets.js';
import { compileModule, type CompiledModule } from '../../src/extract/compile-module.js';
import { moduleProjection, type ProjectionNode, projectionProgram } from '../../src/extract/json-projection.js';
import { parseJsonBody } from '../../src/extract/parse-json.js';
import { moduleParser, nativePruner, parserWith, prunedParser, prunerKind } from '../../src/extract/pruned-parse.js';
import { runHotPathInline } from '../../src/pool/hot-path.js';
import { anyText } from '../helpers/hot-path-bodies.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function compiled(yaml: string, name = 'm'): CompiledModule {
  const module = parseConfig(yaml, 'test.yml').modules[name];
  assert.ok(module !== undefined);
  return compileModule(module);
}

function node(keys: Record<string, ProjectionNode> = {}, whole = false): ProjectionNode {
  return { whole, keys: new Map(Object.entries(keys)) };
}
const WHOLE = (): ProjectionNode => node({}, true);

/** The tree as plain data, for assertions: `true` for a node kept whole. */
function shape(projection: ProjectionNode): unknown {
  if (projection.whole) return true;
  return Object.fromEntries([...projection.keys].map(([key, child]) => [key, shape(child)]));
}

const REFERENCE = readFixture('config', 'srs-reference.yml');

test('the projection of json_exporter’s SRS example: the keys its paths and filter read, values whole', () => {
  assert.deepEqual(shape(moduleProjection(compiled(REFERENCE, 'default'))), {
    server: true,
    streams: { name: true, clients: true, send_bytes: true, recv_bytes: true, frames: true, publish: { active: true } },
  });
});

test('steps that read every key keep their node whole; a module that reads the root whole has no program', () => {
  const module = (path: string): string =>
    `modules:\n  m:\n    metrics:\n    - { name: v, path: ${JSON.stringify(path)} }\n`;
  assert.deepEqual(shape(moduleProjection(compiled(module('{.a.*}')))), { a: true });
  assert.deepEqual(shape(moduleProjection(compiled(module('{.a..b}')))), { a: true });
  assert.deepEqual(shape(moduleProjection(compiled(module('{.a[?(@.b && @.c)]}')))), { a: true });
  assert.deepEqual(shape(moduleProjection(compiled(module('{.a[0].b}')))), { a: { b: true } });
  assert.deepEqual(shape(moduleProjection(compiled(module("{.a['b','c'].d}")))), {
    a: { b: { d: true }, c: { d: true } },
  });
  assert.deepEqual(shape(moduleProjection(compiled(module('{.a[?(@.b.c > 1)].d}')))), {
    a: { b: { c: true }, d: true },
  });
  assert.deepEqual(shape(moduleProjection(compiled(module('{.a[?(@.e)]}')))), { a: true });
  assert.equal(projectionProgram(moduleProjection(compiled(module('{..a}')))), undefined);
  assert.equal(projectionProgram(moduleProjection(compiled(module('{@}')))), undefined);
});

test('object metrics: labels, values and timestamps read on the elements; error_code and paging at the root', () => {
  const yaml = `
modules:
  m:
    error_code: { path: '{.code}' }
    paging: { items: '{.list}', max_items: 100 }
    metrics:
    - name: e
      type: object
      path: '{.list[*]}'
      labels: { id: '{.id}', both: '{.a.b}-{.a.c}', constant: x }
      values: { v: '{.stats.v}', one: 1 }
      epochTimestamp: '{.t}'
`;
  const expected = { code: true, list: { id: true, a: { b: true, c: true }, stats: { v: true }, t: true } };
  // Paging counts the list's items (and cuts it): every array keeps its length, so the elements stay as projected.
  assert.deepEqual(shape(moduleProjection(compiled(yaml))), expected);
  const withoutPaging = yaml.replace("    paging: { items: '{.list}', max_items: 100 }\n", '');
  assert.deepEqual(shape(moduleProjection(compiled(withoutPaging))), expected);
  // A list nothing else reads keeps its elements, emptied.
  const pagingOnly = `modules:\n  m:\n    paging: { items: '{.other}', max_items: 2 }\n    metrics:\n    - { name: v, path: '{.code}' }\n`;
  assert.deepEqual(shape(moduleProjection(compiled(pagingOnly))), { code: true, other: {} });
});

describe('with the native pruner', { skip: nativePruner === undefined && process.env.CI === undefined }, () => {
  test('under CI the native pruner is built and loaded (FJE_NATIVE=required in .ci/run)', () => {
    assert.ok(nativePruner !== undefined, 'build/native/json_prune.node did not load');
    assert.equal(prunerKind, 'native');
  });

  const pruner = nativePruner as NonNullable<typeof nativePruner>;

  function prune(text: string | Uint8Array, projection: ProjectionNode): string | number {
    const program = projectionProgram(projection);
    assert.ok(program !== undefined);
    const input = typeof text === 'string' ? bytes(text) : text;
    const output = new Uint8Array(input.byteLength);
    const length = pruner.prune(input, program, output);
    return length < 0 ? length : new TextDecoder().decode(output.subarray(0, length));
  }

  test('an SRS body keeps the listed keys, in order, with their bytes as they were', () => {
    const projection = node({ streams: node({ name: WHOLE(), publish: node({ active: WHOLE() }) }), code: WHOLE() });
    assert.equal(
      prune(
        ' {"code": 0, "server":"s", "streams":[ {"id":"x","name":"a\\u0062","publish":{"active":true,"cid":"c"},"kbps":{"recv_30s":1}} , {"name":"b","publish":null} ] }\n',
        projection,
      ),
      '{"code":0,"streams":[{"name":"a\\u0062","publish":{"active":true}},{"name":"b","publish":null}]}',
    );
  });

  test('numbers and strings are copied as they are, so JSON.parse reads the same values', () => {
    const projection = node({ a: WHOLE(), b: WHOLE(), c: WHOLE(), d: WHOLE(), e: WHOLE() });
    const text = '{"a":1e400,"b":-0,"c":123456789012345678901234567890,"d":"\\ud800 é \\"","e":0.1e-7,"x":1}';
    const pruned = prune(text, projection);
    assert.equal(pruned, text.replace(',"x":1', ''));
    assert.deepEqual(JSON.parse(pruned as string), JSON.parse(text.replace(',"x":1', '')));
    assert.ok(Object.is((JSON.parse(pruned as string) as { b: number }).b, -0));
  });

  test('a key with an escape is kept whole (whichever key it spells), and duplicate keys both stay', () => {
    const projection = node({ name: node({ x: WHOLE() }) });
    assert.equal(
      prune('{"na\\u006de":{"x":1,"y":2},"name":{"x":3,"y":4},"other":5,"name":{"y":6}}', projection),
      '{"na\\u006de":{"x":1,"y":2},"name":{"x":3},"name":{}}',
    );
  });

  test('a byte order mark is dropped, as TextDecoder drops it before JSON.parse', () => {
    const input = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"a":1,"b":2}')]);
    assert.equal(prune(input, node({ a: WHOLE() })), '{"a":1}');
  });

  test('invalid JSON is -1 wherever it is, kept or left out; nesting past 10,000 levels is -2', () => {
    const projection = node({ a: WHOLE() });
    for (const text of [
      '',
      '  ',
      '{"a":1,"b":[1,}',
      '{"a":1,"b":01}',
      '{"a":1,"b":"\t"}',
      '{"a":1,"b":"\\x"}',
      '{"a":1,"b":"\\u12g4"}',
      '{"a":1,"b":tru}',
      '{"a":1} x',
      '{"a":1,}',
      '{"a" 1}',
      "{'a':1}",
      '{"a":1,"b":1.}',
      '{"a":1,"b":.5}',
      '{"a":1,"b":1e}',
      '{"a":NaN}',
      '[1,2',
      '"abc',
    ]) {
      assert.equal(prune(text, projection), -1, text);
      assert.equal(parseJsonBody(bytes(text)).ok, false, text);
    }
    const deep = `{"b":${'['.repeat(10_001)}${']'.repeat(10_001)},"a":1}`;
    assert.equal(prune(deep, projection), -2);
    const deepEnough = `{"b":${'['.repeat(9_999)}${']'.repeat(9_999)},"a":1}`;
    assert.equal(prune(deepEnough, projection), '{"a":1}');
  });

  test('a program it cannot read is refused (-3), not followed outside itself', () => {
    const program = projectionProgram(node({ a: node({ b: WHOLE() }) })) as Uint8Array;
    const broken = program.slice();
    // The root's one entry: header (11), key length (2), 'a' (1), then the child's offset: point it past the end.
    new DataView(broken.buffer).setUint32(11 + 2 + 1, broken.byteLength + 100, true);
    const input = bytes('{"a":{"b":1}}');
    assert.equal(pruner.prune(input, broken, new Uint8Array(input.byteLength)), -3);
    assert.equal(pruner.prune(input, program.subarray(0, 5), new Uint8Array(input.byteLength)), -3);
    assert.throws(() => pruner.prune(input, program, new Uint8Array(2)), TypeError);
    const misuse = pruner.prune as unknown as (...args: unknown[]) => number;
    assert.throws(() => misuse('{"a":1}', program, new Uint8Array(8)), TypeError);
    assert.throws(() => misuse(input, program), TypeError);
    assert.throws(() => misuse(input, new Uint16Array(8), new Uint8Array(input.byteLength)), TypeError);
    // The module's parser then reads the body whole.
    assert.deepEqual(prunedParser(pruner, broken)(input), { ok: true, value: { a: { b: 1 } } });
  });

  test('bodies the pruner does not take are parsed whole: invalid UTF-8 (fail or replace), too deep, not JSON', () => {
    const module = compiled(REFERENCE, 'default');
    const parser = moduleParser(module);
    assert.notEqual(parser, parseJsonBody);
    // The bad byte in a key no template reads: pruning alone would never see it.
    const invalidUtf8 = new Uint8Array([...bytes('{"server":"a","service":"b'), 0xff, ...bytes('","streams":[]}')]);
    const deep = bytes(`{"streams":${'['.repeat(10_001)}${']'.repeat(10_001)}}`);
    for (const body of [invalidUtf8, deep, bytes('{"streams":[1,]}'), new Uint8Array(0)]) {
      for (const invalidUtf8Option of ['fail', 'replace'] as const) {
        const options = { invalidUtf8: invalidUtf8Option };
        assert.deepEqual(parser(body, options), parseJsonBody(body, options));
      }
    }
    assert.deepEqual(parser(invalidUtf8, { invalidUtf8: 'fail' }).ok, false);
    assert.deepEqual(parser(invalidUtf8, { invalidUtf8: 'replace' }), {
      ok: true,
      value: { server: 'a', service: 'b\uFFFD', streams: [] },
      replacedInvalidUtf8: true,
    });
    assert.equal((parser(deep) as { reason?: string }).reason, 'too_deep');
  });

  /** What pruning by `projection` must give, computed on the parsed value. */
  function project(value: unknown, projection: ProjectionNode): unknown {
    if (projection.whole || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((element) => project(element, projection));
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const listed = projection.keys.get(key);
      // JSON.stringify escapes `"`, `\` and control characters in keys: the pruner keeps such members whole, listed
      // or not (it does not decode escapes; keeping a member no path reads changes nothing).
      if (JSON.stringify(key).includes('\\')) out[key] = child;
      else if (listed !== undefined) out[key] = project(child, listed);
    }
    return out;
  }

  const KEYS = ['a', 'b', 'c', 'é', 'q"', 'b\\', ''];
  const key = fc.constantFrom(...KEYS);
  const projectionTree: fc.Arbitrary<ProjectionNode> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null).map(() => WHOLE()),
      fc
        .dictionary(key, tie('node') as fc.Arbitrary<ProjectionNode>, { maxKeys: 4 })
        .map((keys) => node(keys as Record<string, ProjectionNode>)),
    ),
  })).node;
  const scalarValue = fc.oneof(fc.double(), fc.integer(), anyText, fc.boolean(), fc.constant(null));
  const document: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalarValue,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  })).value;

  test('property: any document, any projection: JSON.parse of the pruned text is the projection of the value', () => {
    fc.assert(
      fc.property(document, projectionTree, fc.boolean(), (doc, projection, spaced) => {
        fc.pre(!projection.whole);
        const text = JSON.stringify(doc, null, spaced ? 1 : undefined);
        const pruned = prune(text, projection);
        assert.equal(typeof pruned, 'string', text);
        assert.deepEqual(JSON.parse(pruned as string), project(JSON.parse(text), projection));
      }),
      { numRuns: 2000 },
    );
  });

  test('property: any text (mostly not JSON) is refused exactly when parseJsonBody refuses it', () => {
    const jsonish = fc.string({
      unit: fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        '"',
        ':',
        ',',
        '\\',
        'u',
        '0',
        '1',
        '-',
        '.',
        'e',
        '+',
        ' ',
        'a',
        't',
        'r',
        'n',
        'l',
        'f',
        's',
        '\n',
        'é',
        '\u0001',
      ),
      maxLength: 24,
    });
    const mutated = fc
      .tuple(document, fc.nat(), fc.constantFrom('', '"', ',', '}', ']', '\\', '0', ' ', '.'))
      .map(([doc, at, insert]) => {
        const text = JSON.stringify(doc) ?? 'null';
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(jsonish, mutated), (text) => {
        const pruned = prune(text, node({ a: WHOLE(), b: node({ c: WHOLE() }) }));
        assert.equal(pruned !== -1, parseJsonBody(bytes(text)).ok, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });

  /** Every result field but the timings, which differ from run to run. */
  function comparable(result: ReturnType<typeof runHotPathInline>): unknown {
    if (!result.ok) return result;
    const { timings: _timings, ...rest } = result;
    return rest;
  }

  const srsBodies = ['srs5', 'srs6'].flatMap((version) =>
    readdirSync(fixturePath('srs', version))
      .filter((name) => name.endsWith('.json'))
      .map((name) => ({ name: `${version}/${name}`, body: bytes(readFixture('srs', version, name)) })),
  );

  test('every SRS preset and the reference config on every SRS 5 and 6 answer: the same result pruned or whole', () => {
    const presets = parseConfig(
      'modules:\n' + PRESET_NAMES.map((name) => `  ${name}: { preset: ${name} }\n`).join(''),
      'presets.yml',
    ).modules;
    const modules = [
      ...Object.entries(presets).map(([name, module]) => ({ name, compiled: compileModule(module) })),
      { name: 'reference', compiled: compiled(REFERENCE, 'default') },
    ];
    let pruned = 0;
    for (const { name, compiled: module } of modules) {
      const parser = moduleParser(module);
      if (parser !== parseJsonBody) pruned++;
      for (const { name: fixture, body } of srsBodies) {
        const task = { body, targetLabels: { instance: 'srs:1985' }, formats: ['text', 'openmetrics'] as const };
        assert.deepEqual(
          comparable(runHotPathInline(module, { ...task, formats: [...task.formats] }, parser)),
          comparable(runHotPathInline(module, { ...task, formats: [...task.formats] }, parseJsonBody)),
          `${name} on ${fixture}`,
        );
      }
    }
    // The comparison means something only if most modules are pruned.
    assert.ok(pruned >= modules.length - 1, `${pruned} of ${modules.length} modules pruned`);
  });

  test('paging: a list longer than max_items is cut and counted the same, pruned or whole', () => {
    const module = compiled(`
modules:
  m:
    paging: { items: '{.list}', max_items: 2 }
    metrics:
    - name: e
      type: object
      path: '{.list[*]}'
      labels: { id: '{.id}' }
      values: { v: '{.v}' }
`);
    const parser = moduleParser(module);
    assert.notEqual(parser, parseJsonBody);
    const body = bytes('{"list":[{"id":"a","v":1,"x":{}},{"id":"b","v":2,"y":[]},{"id":"c","v":3}],"other":1}');
    const task = { body, targetLabels: {}, formats: ['text' as const] };
    const pruned = runHotPathInline(module, task, parser);
    assert.ok(pruned.ok);
    assert.deepEqual(pruned.problemCounts, { items_truncated: 1 });
    assert.equal(pruned.sampleCount, 2);
    assert.deepEqual(comparable(pruned), comparable(runHotPathInline(module, task, parseJsonBody)));
  });

  test('property: an object metric with filters, unions and missing keys: the same samples and problems', () => {
    const module = compiled(`
modules:
  m:
    metrics:
    - { name: top, path: '{.b}' }
    - name: item
      type: object
      path: '{.a[?(@.c != "")]}'
      labels: { e: '{.é}' }
      values: { x: '{.b}', y: "{['a','b']}" }
    - name: any
      type: object
      path: '{.c[*]}'
      labels: { a: '{.a.b}' }
      values: { c: '{.c}' }
      allow_missing_key: true
`);
    const parser = moduleParser(module);
    assert.notEqual(parser, parseJsonBody);
    fc.assert(
      fc.property(document, (doc) => {
        const body = bytes(JSON.stringify(doc));
        const task = { body, targetLabels: { instance: 'x' }, formats: ['text' as const] };
        assert.deepEqual(
          comparable(runHotPathInline(module, task, parser)),
          comparable(runHotPathInline(module, task, parseJsonBody)),
        );
      }),
      { numRuns: 1500 },
    );
  });
});

test('without the native pruner (or with FJE_NATIVE=off) a module’s parser is parseJsonBody', () => {
  const module = compiled(REFERENCE, 'default');
  assert.equal(parserWith(module, undefined), parseJsonBody);
  if (nativePruner === undefined) assert.equal(moduleParser(module), parseJsonBody);
});
