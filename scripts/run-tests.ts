import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./wrangler.js";

/*
 * `npm test`: the format check (Prettier), the linter (typescript-eslint, type-aware), the type
 * check, then each Vitest suite in turn (each needs its own pool: Node, workerd, real
 * processes), then one closing line with the totals. `npm test -- worker e2e` runs only the
 * named suites (the checks run always: they take seconds).
 */

const SUITES: Record<string, string> = {
  unit: "shared/vitest.config.ts",
  host: "browser-host/vitest.config.ts",
  worker: "worker/vitest.config.ts",
  e2e: "e2e/vitest.config.ts",
};

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit" });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const countsOf = (raw: unknown) => {
  const r = raw as {
    numPassedTests?: unknown;
    numFailedTests?: unknown;
    numPendingTests?: unknown;
  };
  const n = (x: unknown) => (typeof x === "number" ? x : 0);
  return {
    passed: n(r.numPassedTests),
    failed: n(r.numFailedTests),
    skipped: n(r.numPendingTests),
  };
};

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in SUITES));
  if (unknown.length > 0) {
    console.error(
      `Unknown suite ${unknown.join(", ")}; suites are: ${Object.keys(SUITES).join(", ")}`,
    );
    return 2;
  }
  const names = wanted.length > 0 ? wanted : Object.keys(SUITES);

  const checks: Array<[string, string[]]> = [
    [
      "format check (prettier --check, npm run format fixes it)",
      [
        join(ROOT, "node_modules", "prettier", "bin", "prettier.cjs"),
        "--check",
        "--log-level",
        "warn",
        ".",
      ],
    ],
    [
      "lint (eslint)",
      [join(ROOT, "node_modules", "eslint", "bin", "eslint.js"), "--max-warnings", "0", "."],
    ],
    ["type check (tsc -b)", [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-b"]],
  ];
  for (const [what, args] of checks) {
    console.log(`▶ ${what}`);
    if ((await run(process.execPath, args)) !== 0) {
      console.log(`\n${what} failed.\n0 passed, 1 failed`);
      return 1;
    }
  }

  const reports = mkdtempSync(join(tmpdir(), "aistudio-edge-tests-"));
  const totals = { passed: 0, failed: 0, skipped: 0 };
  let broken = false;
  try {
    for (const name of names) {
      console.log(`\n▶ ${name} (${SUITES[name]})`);
      const out = join(reports, `${name}.json`);
      const code = await run(process.execPath, [
        join(ROOT, "node_modules", "vitest", "vitest.mjs"),
        "run",
        "--config",
        SUITES[name]!,
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${out}`,
      ]);
      let counts = { passed: 0, failed: 0, skipped: 0 };
      try {
        counts = countsOf(JSON.parse(readFileSync(out, "utf8")));
      } catch {
        // No report: the suite failed before running tests; count it as a failure below.
      }
      if (code !== 0 && counts.failed === 0) {
        broken = true;
        counts.failed = 1;
      }
      totals.passed += counts.passed;
      totals.failed += counts.failed;
      totals.skipped += counts.skipped;
    }
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
  if (broken) console.log("\nA suite exited with an error outside its tests (see above).");
  console.log(
    `\nTests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped > 0 ? `, ${totals.skipped} skipped` : ""}`,
  );
  return totals.failed > 0 ? 1 : 0;
}

void main().then((code) => process.exit(code));
