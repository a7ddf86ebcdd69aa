// bench:fleet's floors (bench/fleet-floor.ts) as child processes against real servers on 127.0.0.1: each client counts
// the bodies it parsed and the ones it could not, and an unknown client is refused before anything is fetched.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../helpers/wait-for.js';

const floorScript = join(import.meta.dirname, '..', '..', 'bench', 'fleet-floor.js');
const children: ChildProcess[] = [];
let fileSd = '';
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(req.url === '/bad' ? '{"streams": [' : '{"code":0,"streams":[{"name":"live","clients":3}]}');
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fileSd = join(mkdtempSync(join(tmpdir(), 'fje-floor-')), 'targets.json');
  writeFileSync(fileSd, JSON.stringify([{ targets: [`${base}/ok`, `${base}/bad`], labels: {} }]));
});

after(async () => {
  for (const child of children) child.kill();
  await new Promise((resolve) => server.close(resolve));
});

/** The floor's /metrics line once it has parsed and failed at least twice each (a 0.2 s interval). */
async function countsOf(client: string): Promise<{ parsed: number; failed: number; line: string }> {
  const child = spawn(process.execPath, [floorScript, fileSd, '0.2', '0', client], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  const port = await waitFor(`the ${client} floor to listen`, async () => {
    out += child.stdout?.read()?.toString() ?? '';
    return /"port":(\d+)/.exec(out)?.[1];
  });
  return waitFor(`the ${client} floor to parse and fail twice`, async () => {
    const line = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = /(\d+) bodies parsed, (\d+) failed/.exec(line);
    const counts = { parsed: Number(match?.[1]), failed: Number(match?.[2]), line };
    return counts.parsed >= 2 && counts.failed >= 2 ? counts : undefined;
  });
}

describe('the floors of bench:fleet', () => {
  for (const client of ['lean', 'undici']) {
    test(`${client}: a valid body is counted parsed, an invalid one failed`, async () => {
      const { line } = await countsOf(client);
      assert.match(line, new RegExp(`^# floor \\(${client}\\): \\d+ bodies parsed, \\d+ failed; no series\\n$`));
    });
  }

  test('an unknown client is refused, naming the two there are', () => {
    const result = spawnSync(process.execPath, [floorScript, fileSd, '15', '0', 'curl'], { encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /unknown floor client curl: lean or undici/);
  });
});
