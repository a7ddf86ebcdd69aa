// pagedUrl: one request for every item, up to max_items + 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pagedUrl } from '../../src/fetch/paged-url.js';

const paging = { items: '{.streams}', countParam: 'count', maxItems: 10000 };

test('asks for max_items + 1 items in the count parameter, keeping the rest of the URL', () => {
  assert.equal(pagedUrl('http://srs:1985/api/v1/streams/', paging), 'http://srs:1985/api/v1/streams/?count=10001');
  assert.equal(
    pagedUrl('http://srs:1985/api/v1/streams/?start=0&x=y', paging),
    'http://srs:1985/api/v1/streams/?start=0&x=y&count=10001',
  );
});

test('replaces a count already in the target', () => {
  assert.equal(
    pagedUrl('http://srs:1985/api/v1/clients/?count=10', { ...paging, countParam: 'count', maxItems: 50 }),
    'http://srs:1985/api/v1/clients/?count=51',
  );
});

test('uses the configured parameter name, and leaves targets alone without paging or when not a URL', () => {
  assert.equal(
    pagedUrl('http://api/items', { ...paging, countParam: 'limit', maxItems: 9 }),
    'http://api/items?limit=10',
  );
  assert.equal(pagedUrl('http://srs:1985/api/v1/streams/', undefined), 'http://srs:1985/api/v1/streams/');
  assert.equal(pagedUrl('not a url', paging), 'not a url');
});
