/**
 * The packages as a user gets them: `npm pack` for the SDK and the gateway, both tarballs
 * installed offline into an empty project, and there `npx openkka start` on the lowest Node the
 * README names, a signed payment from a plain `.mjs` file and from a `.cjs` file on that Node,
 * this machine's and the next major line, a notification verified with `webhooks.verify`
 * from a bare node:http handler, and a TypeScript file checked against the installed types.
 *
 * The tarballs are packed from the build that `npm test` makes before the suite starts
 * (`--ignore-scripts` skips `prepack`, which would rebuild dist/ under the other tests' feet).
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, type RunResult, run, type ServerProcess, startServer } from '../cli/run-cli.ts';
import { lowestNodeInReadme, NEXT_MAJOR_NODE, nodeBuild, REPO } from './node-builds.ts';
import { writeShopProject } from './shop-project.ts';

const USER_PROJECT = join(REPO, 'packages/gateway/test/packaging/user-project');
const TYPESCRIPT = join(REPO, 'node_modules/typescript/bin/tsc');
const INSTALL_MS = 600_000;

interface PackedFile {
  path: string;
}
interface Packed {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

let work: string;
let project: string;
let packed: Map<string, Packed>;
let lowestNode: string;
let nextNode: string;
let server: ServerProcess;
let merchantEnv: Record<string, string>;

function expectOk(result: RunResult, what: string): string {
  expect(result.code, `${what}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** PATH with the given Node first, so `npx` and every `#!/usr/bin/env node` run on it. */
const pathWith = (node: string) => `${dirname(node)}:${process.env.PATH}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'openkka-tarballs-'));
  [lowestNode, nextNode] = await Promise.all([nodeBuild(lowestNodeInReadme()), nodeBuild(NEXT_MAJOR_NODE)]);

  const pack = await run(
    'npm',
    [
      'pack',
      '--ignore-scripts',
      '--json',
      '--pack-destination',
      work,
      '-w',
      'packages/sdk',
      '-w',
      'packages/gateway',
    ],
    {},
    INSTALL_MS,
    REPO,
  );
  packed = new Map((JSON.parse(expectOk(pack, 'npm pack')) as Packed[]).map((p) => [p.name, p]));

  project = join(work, 'shop');
  mkdirSync(project);
  writeShopProject(
    project,
    join(work, packed.get('@openkka/sdk')!.filename),
    join(work, packed.get('openkka')!.filename),
  );
  // Offline, from the tarballs and the npm cache (shop-project.ts). Without install scripts, so
  // the one native addon is not compiled again (see below).
  const install = await run(
    'npm',
    ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'],
    {},
    INSTALL_MS,
    project,
  );
  expectOk(install, 'npm install of the tarballs');
  // better-sqlite3's install script would fetch a prebuilt addon or compile one; the one this
  // checkout's `npm ci` made is that very file (same pinned version, same Node ABI).
  const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  mkdirSync(dirname(join(project, addon)), { recursive: true });
  copyFileSync(join(REPO, addon), join(project, addon));
  for (const file of ['pay.mjs', 'pay.cjs', 'tsconfig.node16.json', 'tsconfig.bundler.json']) {
    copyFileSync(join(USER_PROJECT, file), join(project, file));
  }
  copyFileSync(join(USER_PROJECT, 'types.ts'), join(project, 'types.mts'));
  copyFileSync(join(USER_PROJECT, 'types.ts'), join(project, 'types.cts'));

  server = await startServer(cliEnv(), INSTALL_MS, {
    command: 'npx',
    args: ['--offline', 'openkka', 'start'],
    cwd: project,
  });
  const platformKey = join(work, 'platform.pem');
  const keys = await run('npx', ['--offline', 'openkka', 'keys', 'platform'], cliEnv(), INSTALL_MS, project);
  writeFileSync(platformKey, expectOk(keys, 'openkka keys platform'));
  merchantEnv = {
    OPENKKA_URL: server.url,
    MERCHANT_ID: /^Demo merchant: (\d+)$/m.exec(server.banner)![1]!,
    MERCHANT_KEY_FILE: /^Private key: +(.+)$/m.exec(server.banner)![1]!,
    PLATFORM_KEY_FILE: platformKey,
  };
}, INSTALL_MS * 2);

afterAll(() => {
  killChildren();
  if (work) rmSync(work, { recursive: true, force: true });
});

function cliEnv(): Record<string, string> {
  return { OPENKKA_DATA_DIR: join(work, 'data'), PATH: pathWith(lowestNode) };
}

describe('npm pack', () => {
  const ALLOWED =
    /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts)|dist\/cjs\/package\.json|bin\/[\w.-]+|browser\/(dashboard\/)?[\w.-]+)$/;

  it.each(['@openkka/sdk', 'openkka'])('%s holds only its build, docs and license', (name) => {
    const paths = packed.get(name)!.files.map((file) => file.path);
    expect(paths.filter((path) => !ALLOWED.test(path))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']));
  });

  it('the SDK ships ES module and CommonJS builds with declarations for each entry', () => {
    const paths = packed.get('@openkka/sdk')!.files.map((file) => file.path);
    for (const entry of ['index', 'signing', 'card-encryption']) {
      for (const format of ['esm', 'cjs']) {
        expect(paths).toContain(`dist/${format}/${entry}.js`);
        expect(paths).toContain(`dist/${format}/${entry}.d.ts`);
      }
    }
    expect(paths).toContain('dist/cjs/package.json');
  });

  it('the gateway ships its compiled CLI, its executable and the browser files it serves', () => {
    const paths = packed.get('openkka')!.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/openkka.cjs',
        'bin/cli.js',
        'dist/cli/main.js',
        'browser/encrypted-card.js',
        'browser/dashboard/dashboard.css',
        'browser/dashboard/overview.js',
      ]),
    );
  });

  it('installed, the SDK has no dependencies and the gateway none on a TypeScript runner', () => {
    const manifest = (path: string) => JSON.parse(readFileSync(join(project, 'node_modules', path), 'utf8'));
    expect(manifest('@openkka/sdk/package.json').dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest('openkka/package.json').dependencies)).not.toContain('tsx');
  });
});

describe('npx openkka start from the installed package', () => {
  it('answers HTTP and made its demo merchant', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await fetch(`${server.url}/apis/payments/query`, { method: 'POST', body: '{}' });
    // An unsigned request is refused by the gateway itself, in its envelope.
    expect(answer.status).toBeLessThan(500);
    expect(((await answer.json()) as { ret_code: string }).ret_code).toMatch(/^\d{6}$/);
  });

  it('runs on the lowest Node the README names', async () => {
    // npx and the `openkka` it starts both run `#!/usr/bin/env node`: the first node on PATH.
    expect(realpathSync(`/proc/${server.child.pid}/exe`)).toBe(realpathSync(lowestNode));
    const result = await run(
      'npx',
      ['--offline', 'openkka', 'keys', 'platform'],
      cliEnv(),
      INSTALL_MS,
      project,
    );
    expect(expectOk(result, 'openkka on the lowest Node')).toContain('BEGIN PUBLIC KEY');
    const version = await run(lowestNode, ['--version']);
    expect(version.stdout.trim()).toBe(`v${lowestNodeInReadme()}`);
  });
});

describe.each([
  ['the lowest Node the README names', () => lowestNode],
  ["this machine's Node", () => process.execPath],
  ['the next major Node', () => nextNode],
])('the installed SDK on %s', (_label, node) => {
  it('pays from a plain .mjs file and verifies the notification with webhooks.verify', async () => {
    const transId = `mjs-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const result = await run(node(), ['pay.mjs'], { ...merchantEnv, TRANS_ID: transId }, INSTALL_MS, project);
    const out = JSON.parse(expectOk(result, 'pay.mjs'));
    expect(out.status).toBe('SUCCESS');
    expect(out.order_id).toMatch(/\S/);
    expect(out.notification).toEqual({
      notify_type: 'PAYMENT.SUCCESS',
      trans_id: transId,
      tampered: { refused: 401 },
    });
  });

  it('pays and queries from a .cjs file through require()', async () => {
    const transId = `cjs-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const result = await run(node(), ['pay.cjs'], { ...merchantEnv, TRANS_ID: transId }, INSTALL_MS, project);
    const out = JSON.parse(expectOk(result, 'pay.cjs'));
    expect(out.status).toBe('SUCCESS');
    expect(out.queried.amount).toBe(2500);
    expect(out.refusal.isApiError).toBe(true);
    expect(out.refusal.retCode).toMatch(/^\d{6}$/);
    expect(out.refusal.retCode).not.toBe('000000');
    expect(out.signs).toBe(`merchantId=${merchantEnv.MERCHANT_ID}&timestamp=1&requestBody={}`);
  });
});

describe('the installed types', () => {
  it.each(['tsconfig.node16.json', 'tsconfig.bundler.json'])(
    'check a merchant file with %s',
    async (config) => {
      const result = await run(process.execPath, [TYPESCRIPT, '-p', config], {}, INSTALL_MS, project);
      expectOk(result, `tsc -p ${config}`);
    },
  );

  it('are real: a misuse is an error, in ES module and CommonJS files alike', async () => {
    for (const file of ['types.mts', 'types.cts']) {
      const source = readFileSync(join(project, file), 'utf8').replace(/\/\/ @ts-expect-error.*$/m, '');
      writeFileSync(join(project, `wrong-${file}`), source);
    }
    writeFileSync(
      join(project, 'tsconfig.wrong.json'),
      JSON.stringify({ extends: './tsconfig.node16.json', files: ['wrong-types.mts', 'wrong-types.cts'] }),
    );
    const result = await run(
      process.execPath,
      [TYPESCRIPT, '-p', 'tsconfig.wrong.json'],
      {},
      INSTALL_MS,
      project,
    );
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/wrong-types\.mts\(\d+,\d+\): error TS2322/);
    expect(result.stdout).toMatch(/wrong-types\.cts\(\d+,\d+\): error TS2322/);
  });
});
