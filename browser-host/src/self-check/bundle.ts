import { mkdir, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Page } from "puppeteer-core";
import type { Locator } from "../driver/locate.js";
import { withTimeout } from "../driver/wait.js";
import { privateDirs, writePrivate, type PageJournal } from "../snapshots.js";
import { SECRET_PATTERNS, redactHtml, redactPage, redactText } from "./redact.js";

/*
 * The bundle a bug report gets: the report (text and JSON), a screenshot and the DOM of the
 * checked page after its redaction, its console, and the self-check's own log. Only this user
 * may read it (directory 0700, files 0600), as with failure snapshots. Cookies, localStorage and
 * request headers are never read for it.
 */

export interface PageCapture {
  screenshot: Uint8Array | null;
  dom: string | null;
  console: string[];
}

/** The default place: SNAPSHOT_DIR/self-check-<UTC time>. */
export function defaultBundleDir(snapshotDir: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
  return join(snapshotDir, `self-check-${stamp}`);
}

/** Redacts the page in place, then takes its screenshot and DOM (each bounded: a page may hang). */
export async function capturePage(
  page: Page,
  locate: Locator,
  record: PageJournal,
): Promise<PageCapture> {
  const console = record.console.map(redactText);
  if (page.isClosed()) return { screenshot: null, dom: null, console };
  const userContent = [
    ...locate.candidates("chatTurn"),
    ...locate.candidates("systemInstructionsOpen"),
  ];
  const redacted = await withTimeout(
    page.evaluate(redactPage, SECRET_PATTERNS, userContent).then(() => true),
    5_000,
    false,
  );
  // A page that could not be redacted is not photographed.
  if (!redacted) return { screenshot: null, dom: null, console };
  const screenshot = await withTimeout(page.screenshot({ type: "png" }), 5_000, null);
  const dom = await withTimeout(page.content(), 5_000, null);
  return { screenshot, dom: dom === null ? null : redactHtml(dom), console };
}

/**
 * Writes the bundle into `dir`: below SNAPSHOT_DIR by default (which is made private too, as
 * the snapshot writer does), or a directory of the user's that must be new or empty (so a
 * `--out /tmp` never changes the mode of a directory shared with others).
 */
export async function writeBundle(
  dir: string,
  underSnapshotDir: boolean,
  files: Record<string, string | Uint8Array | null>,
): Promise<string[]> {
  if (underSnapshotDir) await privateDirs(dirname(dir), [basename(dir)]);
  else {
    await mkdir(dirname(dir), { recursive: true });
    await privateDirs(dir, []);
  }
  const written: string[] = [];
  for (const [name, data] of Object.entries(files)) {
    if (data === null) continue;
    await writePrivate(join(dir, name), data);
    written.push(name);
  }
  return written;
}

/** Whether `dir` can take a bundle of the user's choosing: it does not exist, or it is empty. */
export async function usableOutDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) =>
    err.code === "ENOENT" ? [] : null,
  );
  return entries !== null && entries.length === 0;
}
