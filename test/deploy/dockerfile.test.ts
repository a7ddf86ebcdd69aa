// The Dockerfile's shape (no Docker engine here): stages, a non-root user, production dependencies only in the final
// stage, an entrypoint that exists in the build output, json_exporter's --config.file, and the production dependency
// set (`npm ci --omit=dev` with the Dockerfile's own flags) actually running the built exporter.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseServeFlags } from '../../src/commands/flags.js';
import { EMBEDDED_CONFIG_YAML } from '../../src/config/embedded.js';
import { repoRoot } from '../helpers/fixtures.js';
import { httpGet } from '../helpers/http.js';
import { waitFor, within } from '../helpers/wait-for.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly image: string;
  readonly name: string;
  readonly instructions: Instruction[];
}

/** Dockerfile → stages of instructions: comments dropped, `\` continuations joined, ARG defaults substituted in FROM. */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = instruction.args.split('=');
      args.set(name, value);
    } else if (instruction.keyword === 'FROM') {
      const [image = '', as, name = ''] = instruction.args
        .replace(/\$\{(\w+)\}/g, (_, arg: string) => args.get(arg) ?? '')
        .split(/\s+/);
      assert.equal(as?.toUpperCase(), 'AS', `every stage is named: ${line}`);
      stages.push({ image, name, instructions: [] });
    } else {
      const stage = stages.at(-1);
      assert.ok(stage, `${line} before any FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const final = stages.at(-1) as Stage;
const all = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const execForm = (stage: Stage, keyword: string): string[] => {
  const forms = all(stage, keyword);
  assert.equal(forms.length, 1, `one ${keyword}`);
  return JSON.parse(forms[0] as string) as string[];
};
/** `npm ci …` commands of a stage's RUN instructions. */
const npmCi = (stage: Stage): string[] =>
  all(stage, 'RUN').flatMap((run) =>
    run
      .split('&&')
      .map((c) => c.trim())
      .filter((c) => c.startsWith('npm ci')),
  );

describe('Dockerfile', () => {
  test('multi-stage on an active Node LTS slim image: build (dev dependencies), deps (production), runtime', () => {
    assert.deepEqual(
      stages.map((s) => s.name),
      ['build', 'deps', 'runtime'],
    );
    for (const stage of stages) assert.match(stage.image, /^node:(22|24)(\.\d+)*-slim$/, stage.name);
    assert.ok(
      npmCi(stages[0] as Stage).some((c) => !c.includes('--omit=dev')),
      'the build stage installs dev dependencies',
    );
    assert.ok(
      all(stages[0] as Stage, 'RUN').some((run) => run.includes('tsc')),
      'the build stage compiles',
    );
  });

  test('the final stage holds production dependencies only, from the --omit=dev stage, and never installs itself', () => {
    assert.deepEqual(npmCi(final), [], 'no npm ci in the final stage');
    const copies = all(final, 'COPY');
    const modules = copies.filter((c) => c.includes('node_modules'));
    assert.deepEqual(modules, ['--from=deps /app/node_modules ./node_modules']);
    const deps = npmCi(stages.find((s) => s.name === 'deps') as Stage);
    assert.equal(deps.length, 1);
    assert.match(deps[0] as string, /--omit=dev/);
    assert.ok(!copies.some((c) => c.startsWith('--from=build') && c.includes('node_modules')), 'no dev node_modules');
    assert.ok(!copies.some((c) => /(^|\s)(\.|src|test|bench)(\s|$)/.test(c.split(/\s+/)[0] ?? '')), 'no sources');
  });

  test('the build stage builds the native addons (a failed build fails the image) and the runtime has them', () => {
    const build = stages[0] as Stage;
    assert.ok(
      all(build, 'RUN').some((run) => run.includes('FJE_NATIVE=required node tools/build-native.mjs')),
      'the build stage builds native/json_prune.cc, required',
    );
    assert.ok(
      all(build, 'RUN').some((run) => /apt-get install .*\bg\+\+/.test(run)),
      'g++ in the build stage',
    );
    assert.ok(
      all(build, 'RUN').some((run) => /apt-get install .*\blibdeflate-dev\b/.test(run)),
      'libdeflate-dev in the build stage (linked statically: the runtime stage needs no libdeflate of its own)',
    );
    // dist/src/extract/pruned-parse.js loads ../../../build/native/json_prune.node: /app/build/native.
    assert.ok(all(final, 'COPY').includes('--from=build /src/build/native ./build/native'));
  });

  test('runs as a non-root user and exposes 7979', () => {
    const [user = ''] = all(final, 'USER');
    assert.ok(user !== '', 'USER is set');
    assert.ok(!/^(0|root)(:|$)/.test(user), `non-root: ${user}`);
    assert.deepEqual(all(final, 'EXPOSE'), ['7979']);
  });

  test('the runtime caps glibc at two malloc arenas, as npm start does (bench:fleet measures it so)', () => {
    const env = all(final, 'ENV').flatMap((args) => args.split(/\s+/));
    assert.ok(env.includes('MALLOC_ARENA_MAX=2'), `ENV: ${env.join(' ')}`);
    assert.ok(env.includes('NODE_ENV=production'));
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // An operator's own value wins over npm start's.
    assert.match(scripts.start ?? '', /MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-2\} node dist\/src\/cli\.js$/);
  });

  test('the entrypoint is the built CLI, which exists in the build output, and the default command reads the documented config path', () => {
    const entrypoint = execForm(final, 'ENTRYPOINT');
    assert.deepEqual(entrypoint, ['node', '/app/dist/src/cli.js']);
    const copied = all(final, 'COPY').find((c) => c.startsWith('--from=build') && c.endsWith('./dist/src'));
    assert.equal(copied, '--from=build /src/dist/src ./dist/src');
    assert.ok(existsSync(join(repoRoot, 'dist', 'src', 'cli.js')), 'tsc emits dist/src/cli.js');
    const flags = parseServeFlags(execForm(final, 'CMD'));
    assert.equal(flags.configFile, '/etc/fleet-json-exporter/config.yml');
    assert.ok(
      all(final, 'COPY').includes('--from=build /src/config.yml /etc/fleet-json-exporter/config.yml'),
      'the image has a config at that path',
    );
    // json_exporter's documented args replace CMD and parse the same way.
    assert.equal(parseServeFlags(['--config.file', '/config.yml']).configFile, '/config.yml');
    assert.equal(parseServeFlags([]).listenAddress, ':7979');
  });

  test('.dockerignore keeps local builds, dependencies, git and secrets out of the context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', '.env']) assert.ok(ignored.includes(entry), entry);
    for (const copied of ['src', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      assert.ok(!ignored.includes(copied), `${copied} is in the context`);
    }
  });
});

describe("the Dockerfile's production dependency set", () => {
  const app = mkdtempSync(join(tmpdir(), 'fje-prod-deps-'));
  after(() => rmSync(app, { recursive: true, force: true }));

  test('installs from the lockfile and serves: --version, check on the image config, /-/ready', async () => {
    cpSync(join(repoRoot, 'package.json'), join(app, 'package.json'));
    cpSync(join(repoRoot, 'package-lock.json'), join(app, 'package-lock.json'));
    const [command = ''] = npmCi(stages.find((s) => s.name === 'deps') as Stage);
    const npmArgs = command.split(/\s+/).slice(1);
    const installed = spawnSync('npm', [...npmArgs, '--prefer-offline'], {
      cwd: app,
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(installed.status, 0, installed.stderr);
    for (const dev of ['typescript', '@biomejs/biome', 'kubernetes-models', 'fast-check']) {
      assert.ok(!existsSync(join(app, 'node_modules', dev)), `${dev} is not installed`);
    }
    cpSync(join(repoRoot, 'dist', 'src'), join(app, 'dist', 'src'), { recursive: true });
    const cli = join(app, 'dist', 'src', 'cli.js');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const version = spawnSync(process.execPath, [cli, '--version'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, new RegExp(pkg.version.replaceAll('.', '\\.')));
    const config = join(app, 'config.yml');
    writeFileSync(config, EMBEDDED_CONFIG_YAML);
    const checked = spawnSync(process.execPath, [cli, 'check', config], {
      cwd: app,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);

    // The server itself (workers, undici, pino, prom-client) from these dependencies only.
    const child = spawn(process.execPath, [cli, `--config.file=${config}`, '--web.listen-address=127.0.0.1:0'], {
      cwd: app,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    try {
      const address = await waitFor(
        'the exporter to log its address',
        async () => {
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${log}`);
          return /"address":"([^"]+)"/.exec(log)?.[1];
        },
        60_000,
      );
      const ready = await httpGet(`http://${address}/-/ready`);
      assert.equal(ready.status, 200);
    } finally {
      const exited = new Promise((resolve) =>
        child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve),
      );
      child.kill('SIGTERM');
      await within('the exporter to exit after SIGTERM', exited, 60_000).catch((err: unknown) => {
        child.kill('SIGKILL');
        throw err;
      });
    }
  });
});
