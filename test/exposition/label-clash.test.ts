// A series label named like a target label is renamed exported_<name>; nothing else changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLabelClashes } from '../../src/exposition/label-clash.js';
import type { FamilySamples } from '../../src/exposition/types.js';
import { runHotPathInline } from '../../src/pool/hot-path.js';
import { compileModule } from '../../src/extract/compile-module.js';
import { parseConfig } from '../../src/config/index.js';

const family: FamilySamples = {
  name: 'm',
  help: 'm',
  type: 'gauge',
  labelNames: ['exported_job', 'job', 'name'],
  samples: [{ labelValues: ['a', 'b', 'c'], value: 1 }],
};

test('without a clash the family is returned as it is', () => {
  assert.equal(resolveLabelClashes(family, { instance: 'x', cluster: 'prod' }), family);
});

test('a clashing label becomes exported_<name>, again prefixed while that name is taken', () => {
  assert.deepEqual(resolveLabelClashes(family, { job: 'srs', name: 'fleet' }).labelNames, [
    'exported_job',
    'exported_exported_job',
    'exported_name',
  ]);
  // Both the series' exported_job and job clash: each gets a name of its own, never the same one twice.
  assert.deepEqual(resolveLabelClashes(family, { job: 'srs', exported_job: 'x' }).labelNames, [
    'exported_exported_job',
    'exported_exported_exported_job',
    'name',
  ]);
});

test("the hot path applies it: target labels first, the series' own value under exported_", () => {
  const config = parseConfig(
    'modules:\n  m:\n    metrics:\n    - name: clients\n      type: object\n      path: "{.streams[*]}"\n      labels: { instance: "{.host}" }\n      values: { total: "{.n}" }\n',
    '<test>',
  );
  const compiled = compileModule(config.modules.m!);
  const result = runHotPathInline(compiled, {
    body: Buffer.from(JSON.stringify({ streams: [{ host: 'edge-a', n: 3 }] })),
    targetLabels: { job: 'srs', instance: '10.0.0.1:1985' },
    formats: ['text'],
  });
  assert.ok(result.ok);
  assert.equal(
    result.families.text?.[0]?.text,
    'clients_total{job="srs",instance="10.0.0.1:1985",exported_instance="edge-a"} 3\n',
  );
});
