/**
 * `--compare REF`: a second checkout of the repository at REF, built into a temporary
 * directory with `git archive` (the repository's own worktree list is left alone), its
 * dependencies copied from this checkout when the lockfiles match and installed from the npm
 * cache otherwise, and built when REF has a build (refs that run from their TypeScript sources
 * have none). Removed again when the bench ends.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RefCheckout {
  ref: string;
  commit: string;
  /** The checkout's `openkka` executable. */
  bin: string;
  remove(): void;
}

/**
 * Relative to the repository root in every checkout. Only REF's gateway runs (this checkout's
 * bench drives both sides), and its executable is here in both layouts: with the bench inside
 * the gateway package (packages/gateway/src/bench, older refs) and in its own packages/bench.
 */
const BIN = 'packages/gateway/bin/openkka.cjs';
/** REF's build script, in refs whose executable runs compiled JavaScript. */
const BUILD = 'scripts/build.mjs';
const BUFFER = 256 * 1024 * 1024;

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    return (await run('git', args, { cwd, maxBuffer: BUFFER })).stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args.join(' ')}: ${stderr || (err as Error).message}`);
  }
}

/** Copies `from` to `to`: hard links where the file system allows (fast, no space), else bytes. */
async function copyTree(from: string, to: string): Promise<void> {
  try {
    await run('cp', ['-al', from, to]);
  } catch {
    rmSync(to, { recursive: true, force: true });
    await run('cp', ['-a', from, to]);
  }
}

export async function checkoutRef(ref: string, log: (line: string) => void): Promise<RefCheckout> {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = (await git(here, ['rev-parse', '--show-toplevel'])).trim();
  const commit = (await git(root, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  const dir = mkdtempSync(join(tmpdir(), 'openkka-compare-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    log(`compare: checking out ${ref} (${commit.slice(0, 12)})`);
    await run('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', commit, dir], {
      cwd: root,
    });
    if (!existsSync(join(dir, BIN))) throw new Error(`${ref} has no ${BIN}: too old to compare against`);
    const lock = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    if (lock(join(root, 'package-lock.json')) === lock(join(dir, 'package-lock.json'))) {
      log('compare: same lockfile, copying node_modules');
      // REF's own workspace list: it names packages/bench only in refs that have it.
      const workspaces = (
        JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { workspaces?: string[] }
      ).workspaces;
      for (const folder of ['.', ...(workspaces ?? [])]) {
        const modules = join(root, folder, 'node_modules');
        if (existsSync(modules) && existsSync(join(dir, folder)))
          await copyTree(modules, join(dir, folder, 'node_modules'));
      }
      if (existsSync(join(dir, BUILD))) {
        log('compare: building');
        await run(process.execPath, [BUILD], { cwd: dir, maxBuffer: BUFFER });
      }
    } else {
      log('compare: the lockfile differs, running npm ci --offline');
      // Its `prepare` script, where REF has one, builds it.
      await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: BUFFER });
    }
    return { ref, commit, bin: join(dir, BIN), remove };
  } catch (err) {
    remove();
    throw err;
  }
}
