import { lstat, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  SNAPSHOT_CHUNK_BYTES,
  SNAPSHOT_FILES,
  SNAPSHOT_FILE_MAX_BYTES,
  WIRE_JOB_ID,
  type OutHostFrame,
  type SnapshotFileName,
} from "@aistudio-edge/shared";
import type { Logger } from "./log.js";

/*
 * A failure snapshot fetched on demand (`snapshot.request`): the folder saveSnapshot wrote for
 * the job, SNAPSHOT_DIR/<day>/<job id>/, found by looking through the day folders (newest
 * first), sent file by file as `snapshot.part` frames and closed by `snapshot.end`. Only the
 * files of SNAPSHOT_FILES, only regular files (no link out of the folder), only a path made of
 * SNAPSHOT_DIR, a day folder's name and a job id the wire's pattern allows. Reads are
 * asynchronous and the event loop gets a turn between parts, so job frames are not held up.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface SnapshotRequest {
  requestId: string;
  jobId: string;
}

/** The job's snapshot folder, or null. */
export async function findSnapshot(dir: string, jobId: string): Promise<string | null> {
  if (!WIRE_JOB_ID.test(jobId)) return null;
  const days = (await readdir(dir).catch(() => [] as string[])).filter((d) => DAY.test(d));
  for (const day of days.sort().reverse()) {
    const folder = join(dir, day, jobId);
    const found = await lstat(folder).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (found) return folder;
  }
  return null;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Answers one request. Returns false when the link went down mid-way (the rest is not sent: the
 * pool asks again on the next link).
 */
export async function serveSnapshot(
  dir: string,
  request: SnapshotRequest,
  send: (frame: OutHostFrame) => boolean,
  log: Logger,
): Promise<boolean> {
  const { requestId, jobId } = request;
  const folder = await findSnapshot(dir, jobId);
  if (!folder) return send({ type: "snapshot.end", requestId, found: false, truncated: [] });
  const truncated: SnapshotFileName[] = [];
  for (const file of SNAPSHOT_FILES) {
    const path = join(folder, file);
    const info = await lstat(path).catch(() => null);
    if (!info?.isFile()) continue;
    try {
      const sent = await sendFile(path, file, info.size, requestId, send);
      if (sent === null) return false;
      if (sent) truncated.push(file);
    } catch (err) {
      // Sent so far is what the pool gets of this file; the other files still go.
      log.warn("could not read a snapshot file", {
        jobId,
        file,
        error: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
      });
    }
  }
  log.info("failure snapshot sent", { jobId, requestId, truncated: truncated.join(",") });
  return send({ type: "snapshot.end", requestId, found: true, truncated });
}

/** Sends one file's parts; whether it was cut, or null when the link is down. */
async function sendFile(
  path: string,
  file: SnapshotFileName,
  size: number,
  requestId: string,
  send: (frame: OutHostFrame) => boolean,
): Promise<boolean | null> {
  const handle = await open(path, "r");
  try {
    const limit = Math.min(size, SNAPSHOT_FILE_MAX_BYTES);
    const buffer = Buffer.alloc(Math.min(SNAPSHOT_CHUNK_BYTES, Math.max(limit, 1)));
    let offset = 0;
    do {
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(buffer.length, limit - offset),
        offset,
      );
      // A file that shrank since it was measured ends where it now ends (an empty one: one part).
      if (bytesRead === 0 && offset > 0) break;
      const data = buffer.subarray(0, bytesRead).toString("base64");
      if (!send({ type: "snapshot.part", requestId, file, offset, data })) return null;
      offset += bytesRead;
      await turn();
      if (bytesRead === 0) break;
    } while (offset < limit);
    // Cut when the file holds more than was sent.
    return size > SNAPSHOT_FILE_MAX_BYTES;
  } finally {
    await handle.close();
  }
}
