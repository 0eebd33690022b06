import {
  SNAPSHOT_CHUNK_BYTES,
  SNAPSHOT_FILE_MAX_BYTES,
  type OutPoolFrame,
  type SnapshotFileName,
} from "@aistudio-edge/shared";
import { decodeBase64, encodeBase64 } from "../base64.js";
import type { Host } from "./host-registry.js";
import type { SnapshotFile, SnapshotResult } from "./views.js";

/*
 * Failure snapshots fetched on demand for the console: the pool asks the host that ran the
 * job, reassembles the pieces the host sends back, and answers the console. Nothing is kept
 * once answered. Pieces are taken only from the socket that was asked, for a request still
 * open, in order; a host that sends anything else for a request fails that request.
 */

export const SNAPSHOT_TIMEOUT_MS = 20_000;
/** Requests open at once across the pool (each holds up to a few MiB until answered). */
export const MAX_OPEN_SNAPSHOTS = 4;

interface Pending {
  host: Host;
  jobId: string;
  files: Map<SnapshotFileName, Uint8Array[]>;
  sizes: Map<SnapshotFileName, number>;
  timer: ReturnType<typeof setTimeout>;
  resolve: (result: SnapshotResult) => void;
}

export class SnapshotRequests {
  private readonly open = new Map<string, Pending>();

  constructor(private readonly send: (host: Host, frame: OutPoolFrame) => boolean) {}

  request(host: Host, jobId: string): Promise<SnapshotResult> {
    if (this.open.size >= MAX_OPEN_SNAPSHOTS)
      return Promise.resolve({
        found: false,
        reason: "Too many snapshots are being fetched at once; try again in a moment.",
      });
    const requestId = `snap_${crypto.randomUUID().replaceAll("-", "")}`;
    return new Promise<SnapshotResult>((resolve) => {
      const timer = setTimeout(
        () =>
          this.settle(requestId, {
            found: false,
            reason: `Host '${host.id}' did not send the snapshot within ${SNAPSHOT_TIMEOUT_MS / 1000}s.`,
          }),
        SNAPSHOT_TIMEOUT_MS,
      );
      this.open.set(requestId, {
        host,
        jobId,
        files: new Map(),
        sizes: new Map(),
        timer,
        resolve,
      });
      if (!this.send(host, { type: "snapshot.request", requestId, jobId }))
        this.settle(requestId, { found: false, reason: `Host '${host.id}' could not be reached.` });
    });
  }

  /** A piece from a host; false when it was not this socket's to send. */
  onPart(
    host: Host,
    frame: { requestId: string; file: SnapshotFileName; offset: number; data: string },
  ): boolean {
    const pending = this.open.get(frame.requestId);
    if (!pending || pending.host !== host) return false;
    const bytes = decodeBase64(frame.data);
    const size = pending.sizes.get(frame.file) ?? 0;
    if (
      bytes === null ||
      bytes.length > SNAPSHOT_CHUNK_BYTES ||
      frame.offset !== size ||
      size + bytes.length > SNAPSHOT_FILE_MAX_BYTES
    ) {
      this.settle(frame.requestId, {
        found: false,
        reason: `Host '${host.id}' sent a malformed snapshot.`,
      });
      return true;
    }
    const parts = pending.files.get(frame.file) ?? [];
    parts.push(bytes);
    pending.files.set(frame.file, parts);
    pending.sizes.set(frame.file, size + bytes.length);
    return true;
  }

  onEnd(
    host: Host,
    frame: { requestId: string; found: boolean; truncated: SnapshotFileName[] },
  ): boolean {
    const pending = this.open.get(frame.requestId);
    if (!pending || pending.host !== host) return false;
    if (!frame.found) {
      this.settle(frame.requestId, {
        found: false,
        reason: `Host '${host.id}' has no snapshot of ${pending.jobId} (snapshots are pruned to the newest SNAPSHOT_KEEP).`,
      });
      return true;
    }
    const files: SnapshotFile[] = [];
    for (const [name, parts] of pending.files) {
      const whole = new Uint8Array(pending.sizes.get(name) ?? 0);
      let at = 0;
      for (const part of parts) {
        whole.set(part, at);
        at += part.length;
      }
      files.push({ name, base64: encodeBase64(whole), truncated: frame.truncated.includes(name) });
    }
    this.settle(frame.requestId, { found: true, hostId: host.id, jobId: pending.jobId, files });
    return true;
  }

  /** The host went: its open requests end now rather than at their timeout. */
  hostGone(host: Host): void {
    for (const [id, pending] of this.open)
      if (pending.host === host)
        this.settle(id, {
          found: false,
          reason: `Host '${host.id}' disconnected before sending the snapshot.`,
        });
  }

  private settle(requestId: string, result: SnapshotResult): void {
    const pending = this.open.get(requestId);
    if (!pending) return;
    this.open.delete(requestId);
    clearTimeout(pending.timer);
    pending.resolve(result);
  }
}
