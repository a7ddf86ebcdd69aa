// The reference of bench/auth-flood.ts: basic auth as basic-auth.ts did it before it moved bcrypt off the main
// thread — bcryptjs.compare on the main thread, successes and failures in one shared 100-entry cache.
// `node dist/bench/auth-flood-reference.js <bcrypt hash of prometheus's password> <port>`
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import bcrypt from 'bcryptjs';

const [hash = '', port = '0'] = process.argv.slice(2);
const outcomes = new Map<string, Promise<boolean>>();

function verify(user: string, password: string): Promise<boolean> {
  const key = createHash('sha256')
    .update(JSON.stringify([user, hash, password]))
    .digest('base64');
  let outcome = outcomes.get(key);
  if (outcome === undefined) {
    outcome = bcrypt.compare(password, hash).then(
      (match) => user === 'prometheus' && match,
      () => false,
    );
    if (outcomes.size >= 100) {
      let toDelete = 10;
      for (const old of outcomes.keys()) {
        if (toDelete-- === 0) break;
        outcomes.delete(old);
      }
    }
    outcomes.set(key, outcome);
  }
  return outcome;
}

createServer((req, res) => {
  const decoded = Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const check = colon < 0 ? Promise.resolve(false) : verify(decoded.slice(0, colon), decoded.slice(colon + 1));
  void check.then((ok) => (ok ? res.end('ok\n') : res.writeHead(401).end()));
}).listen(Number(port), '127.0.0.1', () => process.stderr.write('listening\n'));
