// `node dist/bench/profile-top.js <file.cpuprofile> [N]`: the N functions with the most self time in a V8 CPU profile
// (node --cpu-prof), and the share of samples under each of them (inclusive), for bench/README.md.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [file = '', count = '15'] = process.argv.slice(2);
if (file === '') {
  process.stderr.write('usage: node dist/bench/profile-top.js <file.cpuprofile> [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url === '' ? '' : `${basename(url)}:${lineNumber + 1}`}`.trim();
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const id of profile.samples) {
  const node = byId.get(id);
  if (node === undefined) continue;
  self.set(label(node), (self.get(label(node)) ?? 0) + 1);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = label(byId.get(at) as ProfileNode);
    if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    seen.add(name);
  }
}
const total = profile.samples.length;
const idle = self.get('(idle)') ?? 0;
const pct = (n: number): string => `${((n / total) * 100).toFixed(1)} %`;
process.stdout.write(
  `${file}: ${total} samples, idle ${pct(idle)}\n| self | inclusive | function |\n| ---: | ---: | --- |\n`,
);
for (const [name, n] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  process.stdout.write(`| ${pct(n)} | ${pct(inclusive.get(name) ?? 0)} | \`${name}\` |\n`);
}
