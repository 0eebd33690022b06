import { chmod, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import { withTimeout } from "./driver/wait.js";
import type { Logger } from "./log.js";

/*
 * What a failed job leaves behind for whoever debugs it: a screenshot, the DOM, the page's
 * console and the RPCs it made (paths, statuses and timings only: no headers, so no cookies),
 * in SNAPSHOT_DIR/<date>/<job id>/. Only the newest SNAPSHOT_KEEP are kept. A snapshot holds
 * the prompt (in the DOM and the screenshot), so only this user may read it: directories 0700,
 * files 0600, whatever the umask and whatever a directory's mode was before.
 */

export interface PageJournal {
  console: string[];
  network: Array<{ at: string; method: string; path: string; status?: number; failed?: string }>;
}

const LIMIT = 500;

/** Records a page's console and RPC traffic in rings, for snapshots. */
export function journal(page: Page): PageJournal {
  const j: PageJournal = { console: [], network: [] };
  const push = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > LIMIT) list.shift();
  };
  page.on("console", (m) => push(j.console, `${new Date().toISOString()} ${m.type()} ${m.text()}`));
  page.on("pageerror", (e) =>
    push(j.console, `${new Date().toISOString()} pageerror ${(e as Error).message}`),
  );
  const path = (url: string) => {
    try {
      return new URL(url).pathname;
    } catch {
      return url.slice(0, 200);
    }
  };
  page.on("requestfinished", (r) => {
    if (r.url().includes("/$rpc/"))
      push(j.network, {
        at: new Date().toISOString(),
        method: r.method(),
        path: path(r.url()),
        ...(r.response() ? { status: r.response()!.status() } : {}),
      });
  });
  page.on("requestfailed", (r) => {
    if (r.url().includes("/$rpc/"))
      push(j.network, {
        at: new Date().toISOString(),
        method: r.method(),
        path: path(r.url()),
        failed: r.failure()?.errorText ?? "failed",
      });
  });
  return j;
}

export async function saveSnapshot(
  options: { dir: string; keep: number; log: Logger },
  jobId: string,
  page: Page | null,
  record: PageJournal | null,
  error: { code: string; message: string },
): Promise<string | null> {
  const day = new Date().toISOString().slice(0, 10);
  const jobDir = jobId.replace(/[^A-Za-z0-9._-]/g, "_");
  const target = join(options.dir, day, jobDir);
  try {
    await privateDirs(options.dir, [day, jobDir]);
    await writePrivate(
      join(target, "error.json"),
      JSON.stringify(
        { jobId, at: new Date().toISOString(), ...error, url: page?.url() ?? null },
        null,
        2,
      ),
    );
    if (record) {
      await writePrivate(join(target, "console.log"), record.console.join("\n"));
      await writePrivate(join(target, "network.json"), JSON.stringify(record.network, null, 2));
    }
    if (page && !page.isClosed()) {
      // A frozen page must not hold the lane: each capture gets a few seconds at most.
      const shot = await withTimeout(page.screenshot({ type: "png" }), 5_000, null);
      if (shot) await writePrivate(join(target, "screenshot.png"), shot);
      const dom = await withTimeout(page.content(), 5_000, null);
      if (dom !== null) await writePrivate(join(target, "dom.html"), dom);
    }
    await prune(options.dir, options.keep);
    options.log.info("failure snapshot saved", { jobId, path: target });
    return target;
  } catch (err) {
    options.log.warn("could not save a failure snapshot", { jobId, error: (err as Error).message });
    return null;
  }
}

/**
 * Creates root/a/b… as 0700 directories. mkdir's mode is masked by the umask and does nothing to
 * a directory that already exists (an older host may have made it 0755), so each is chmod-ed too.
 * Only SNAPSHOT_DIR itself and what is below it: its parents are not this module's to change.
 */
export async function privateDirs(root: string, below: string[]): Promise<void> {
  const dirs = [root];
  for (const part of below) dirs.push(join(dirs.at(-1)!, part));
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
}

/** writeFile's mode applies only to a file it creates, and through the umask: chmod makes it so. */
export async function writePrivate(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** The day folders saveSnapshot writes; anything else in SNAPSHOT_DIR (a self-check bundle) is not pruned. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

async function days(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((d) => DAY.test(d));
}

async function prune(dir: string, keep: number): Promise<void> {
  const entries: Array<{ path: string; mtime: number }> = [];
  for (const day of await days(dir)) {
    for (const job of await readdir(join(dir, day)).catch(() => [] as string[])) {
      const path = join(dir, day, job);
      entries.push({ path, mtime: (await stat(path)).mtimeMs });
    }
  }
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const old of entries.slice(keep)) await rm(old.path, { recursive: true, force: true });
  for (const day of await days(dir)) {
    if ((await readdir(join(dir, day)).catch(() => ["x"])).length === 0)
      await rm(join(dir, day), { recursive: true, force: true });
  }
}
