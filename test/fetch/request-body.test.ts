// prepareRequestBody: json_exporter's renderBody rules for method, body and the static fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileBodyTemplate } from '../../src/body-template/index.js';
import { prepareRequestBody } from '../../src/fetch/request-body.js';

test('no body or empty content is a GET without a body', () => {
  assert.deepEqual(prepareRequestBody(undefined, undefined, {}), { method: 'GET' });
  assert.deepEqual(prepareRequestBody({ content: '', templatize: true }, undefined, {}), { method: 'GET' });
});

test('content without templatize is POSTed as is, template syntax included', () => {
  const config = { content: 'dynamic: {{ randInt 12 30 }}', templatize: false };
  assert.deepEqual(prepareRequestBody(config, undefined, {}), { method: 'POST', body: 'dynamic: {{ randInt 12 30 }}' });
});

test('a template that fails at render time falls back to the static content and reports why', () => {
  const config = { content: '{{ index .a 3 }}', templatize: true };
  const prepared = prepareRequestBody(config, compileBodyTemplate(config.content), { a: ['x'] });
  assert.equal(prepared.method, 'POST');
  assert.equal(prepared.body, '{{ index .a 3 }}');
  assert.equal(
    prepared.templateError,
    'body template 1:4: executing at <index>: error calling index: index out of range: 3',
  );
});
