// Runs a compiled entry point of this repository from an immutable build of the current sources:
//
//   node scripts/run-built.mjs main.js order --instance 2
//
// `npm start`, `npm run node`, `npm run repl` and `npm run bench` go through here. The build
// lives in .build/<hash of the sources>/ and is never written again once complete, so any number
// of processes can start at once: the first one compiles (under a lock), the others wait for it,
// and a process already running is never handed a half-written file, even if the sources change
// and a later start compiles a new build next to it. (Four `npm run node` started together each
// used to rebuild dist/ under the others; one loaded a half-written module and stalled forever.)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUILDS = path.join(ROOT, ".build");
const INPUTS = [
  "contracts",
  "services",
  "scripts",
  "moleculer.config.ts",
  "tsconfig.json",
  "tsconfig.build.json",
  "package-lock.json",
];
const KEEP_BUILDS = 3;
const STALE_LOCK_MS = 120_000;

function sourceFiles(entry) {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs
    .readdirSync(full)
    .sort()
    .flatMap((name) => sourceFiles(path.join(entry, name)));
}

function sourceHash() {
  const hash = createHash("sha256");
  for (const file of INPUTS.flatMap(sourceFiles)) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(ROOT, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** mkdir is atomic: whoever creates the lock directory builds; the others wait for `done`. */
function buildOnce(dir) {
  const done = path.join(dir, ".complete");
  const lock = `${dir}.lock`;
  fs.mkdirSync(BUILDS, { recursive: true });
  for (;;) {
    if (fs.existsSync(done)) return;
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      if (lockIsStale(lock)) fs.rmSync(lock, { recursive: true, force: true });
      else sleep(100);
    }
  }
  try {
    if (fs.existsSync(done)) return;
    const staging = `${dir}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    process.stderr.write(`Compiling TypeScript into ${path.relative(ROOT, dir)} ...\n`);
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = spawnSync(
      process.execPath,
      [tsc, "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", staging],
      { stdio: "inherit", cwd: ROOT },
    );
    if (result.status !== 0) {
      fs.rmSync(staging, { recursive: true, force: true });
      process.stderr.write("The TypeScript build failed; nothing was started.\n");
      process.exit(result.status ?? 1);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    fs.writeFileSync(done, new Date().toISOString());
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  pruneOldBuilds(dir);
}

/** The builder was killed (its pid is gone), or never wrote its pid and the lock is old. */
function lockIsStale(lock) {
  try {
    process.kill(Number(fs.readFileSync(path.join(lock, "pid"), "utf8")), 0);
    return false;
  } catch (error) {
    if (error.code === "EPERM") return false;
    const since = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    return error.code === "ESRCH" || Date.now() - since > STALE_LOCK_MS;
  }
}

/** Keeps the newest builds: a process started from one of them may still be running. */
function pruneOldBuilds(current) {
  const builds = fs
    .readdirSync(BUILDS)
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .map((name) => path.join(BUILDS, name))
    .filter((dir) => dir !== current && fs.existsSync(path.join(dir, ".complete")))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  for (const old of builds.slice(KEEP_BUILDS - 1)) fs.rmSync(old, { recursive: true, force: true });
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: node scripts/run-built.mjs <compiled entry, e.g. main.js> [args]\n");
  process.exit(2);
}
const dir = path.join(BUILDS, sourceHash());
buildOnce(dir);
const main = path.join(dir, entry);
// The entry reads its own arguments from process.argv, as if it had been started directly.
process.argv = [process.argv[0], main, ...args];
createRequire(import.meta.url)(main);
