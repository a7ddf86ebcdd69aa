// Target URLs as shown in pages, messages and logs: the password hidden, the rest as given.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redactUrl } from '../../src/fetch/redact-url.js';

describe('redactUrl', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['http://srs:s3cret@10.0.0.1:1985/api/v1/streams/', 'http://srs:xxxxx@10.0.0.1:1985/api/v1/streams/'],
    ['https://a%40b:p%3Ass@srs.example/api?count=10', 'https://a%40b:xxxxx@srs.example/api?count=10'],
    ['http://user@10.0.0.1:1985/', 'http://user@10.0.0.1:1985/'],
    ['http://10.0.0.1:1985/api/v1/streams/', 'http://10.0.0.1:1985/api/v1/streams/'],
    ['10.0.0.1:1985', '10.0.0.1:1985'],
    ['not a url', 'not a url'],
    // Text that fails to parse is redacted by its shape: it is echoed in 503s and logs.
    ['http://srs:s3cret@10.0.0.1:99999/api/', 'http://srs:xxxxx@10.0.0.1:99999/api/'],
    ['http://srs:s3c ret@bad host/', 'http://srs:xxxxx@bad host/'],
    ['srs:s3cret@10.0.0.1:1985', 'srs:xxxxx@10.0.0.1:1985'],
    ['user@10.0.0.1:1985', 'user@10.0.0.1:1985'],
    ['mailto:someone@example.com', 'mailto:xxxxx@example.com'],
    // Not normalised: the host's case and a default port stay as given.
    ['http://SRS.example:80/api', 'http://SRS.example:80/api'],
  ];
  for (const [given, shown] of cases) {
    test(`${given} is shown as ${shown}`, () => {
      assert.equal(redactUrl(given), shown);
      if (URL.canParse(given)) {
        assert.equal(redactUrl(new URL(given)), new URL(shown).href);
        // Given with its parsed form (what /probe passes): the text as given, redacted, exactly as from the text.
        assert.equal(redactUrl(given, new URL(given)), shown);
      }
    });
  }
});
