import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_TYPES, negotiateFormat } from '../../src/exposition/negotiate.js';

const PROMETHEUS_2_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_3_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,' +
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';

test("Prometheus's scrape Accept header negotiates OpenMetrics", () => {
  assert.equal(negotiateFormat(PROMETHEUS_2_ACCEPT), 'openmetrics');
});

test("Prometheus 3's default scrape protocols header negotiates OpenMetrics", () => {
  assert.equal(negotiateFormat(PROMETHEUS_3_ACCEPT), 'openmetrics');
});

test('no Accept header, an empty one or */* gives text 0.0.4', () => {
  assert.equal(negotiateFormat(undefined), 'text');
  assert.equal(negotiateFormat(''), 'text');
  assert.equal(negotiateFormat('*/*'), 'text');
});

test('plain text/plain gives text 0.0.4', () => {
  assert.equal(negotiateFormat('text/plain'), 'text');
  assert.equal(negotiateFormat('text/plain;version=0.0.4'), 'text');
});

test('application/openmetrics-text alone gives OpenMetrics', () => {
  assert.equal(negotiateFormat('application/openmetrics-text'), 'openmetrics');
  assert.equal(negotiateFormat('application/openmetrics-text; version=1.0.0'), 'openmetrics');
});

test('the higher quality wins whatever the order of the list', () => {
  assert.equal(negotiateFormat('application/openmetrics-text;q=0.5,text/plain;version=0.0.4'), 'text');
  assert.equal(negotiateFormat('text/plain;version=0.0.4,application/openmetrics-text;q=0.5'), 'text');
  assert.equal(negotiateFormat('text/plain;q=0.2,application/openmetrics-text;q=0.9'), 'openmetrics');
  assert.equal(negotiateFormat('text/plain;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8'), 'text');
});

test('the best quality among several openmetrics entries counts', () => {
  assert.equal(
    negotiateFormat(
      'application/openmetrics-text;q=0.1,text/plain;q=0.5,application/openmetrics-text;version=1.0.0;q=0.9',
    ),
    'openmetrics',
  );
});

test('OpenMetrics wins a tie with text/plain', () => {
  assert.equal(negotiateFormat('text/plain;q=0.5,application/openmetrics-text;q=0.5'), 'openmetrics');
});

test('OpenMetrics with q=0 is refused', () => {
  assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0,text/plain;q=0.1'), 'text');
});

test('spaces around parameters and commas do not matter', () => {
  assert.equal(
    negotiateFormat('text/plain ; q=0.5 , application/openmetrics-text ; version=1.0.0 ; q=0.75'),
    'openmetrics',
  );
});

test('media types are matched case-insensitively', () => {
  assert.equal(negotiateFormat('Application/OpenMetrics-Text;version=1.0.0,text/plain;q=0.5'), 'openmetrics');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0.4,TEXT/PLAIN;q=0.6'), 'text');
});

test('a mention of openmetrics in another media type is not OpenMetrics', () => {
  assert.equal(negotiateFormat('application/x-openmetrics-like'), 'text');
});

test('the content types are those client_golang sends for each format', () => {
  assert.equal(CONTENT_TYPES.text, 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(CONTENT_TYPES.openmetrics, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
});
