import { z } from "zod";
import {
  SignInInputSchema,
  type HostState,
  type SignInState,
  type SnapshotFileName,
} from "@aistudio-edge/shared";
import type {
  JobRecord,
  JobsQuery,
  KeyUsageSummary,
  MinuteRow,
  RefusalRecord,
  UsageQuery,
  UsageRow,
} from "../accounting/records.js";

/*
 * What the pool shows the operator (console and /admin/*), over Durable Object RPC. Plain
 * serialisable objects; nothing secret (no tokens, no prompt text, no typed sign-in input).
 */

export interface HostView {
  id: string;
  state: HostState;
  lanes: number;
  busy: number;
  models: string[];
  profileId: string | null;
  egressCountry: string | null;
  version: string;
  /** The host's last status detail: why it is degraded or signed out. */
  detail: string | null;
  connectedAt: number;
  /** A remote sign-in session is open on this host. */
  signIn: boolean;
}

export interface OverviewView {
  at: number;
  hosts: HostView[];
  queued: number;
  running: number;
  /** The last 60 minutes, oldest first, one row per minute (zeros where nothing happened). */
  lastHour: MinuteRow[];
}

export interface SnapshotFile {
  name: SnapshotFileName;
  /** Base64 of the file's bytes. */
  base64: string;
  truncated: boolean;
}

export type SnapshotResult =
  | { found: true; hostId: string; jobId: string; files: SnapshotFile[] }
  | { found: false; reason: string };

/**
 * The pool's operator methods (Durable Object RPC), as the console and /admin/* call them.
 * `live()` is a text/event-stream body: `event: overview` with an OverviewView as `data` at once,
 * on every change (at most once a second) and at least every 15 s, with `: keep-alive` comments
 * between. The remote sign-in socket is `fetch("https://pool/console/signin?host=<id>&w=<px>&h=<px>")`
 * with `Upgrade: websocket`, after the Worker checked the operator's session and Origin.
 */
export interface PoolOperatorApi {
  overview(): OverviewView;
  live(): ReadableStream<Uint8Array>;
  usage(query: UsageQuery): UsageRow[];
  jobs(query: JobsQuery): JobRecord[];
  job(id: string): JobRecord | null;
  keyUsage(): KeyUsageSummary[];
  snapshot(jobId: string): Promise<SnapshotResult>;
  recordRefusal(record: RefusalRecord): void;
}

/** Console → pool on the sign-in socket: input for the host's screen, or the operator's stop. */
export const ConsoleSignInMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input"), input: SignInInputSchema }),
  z.object({ type: z.literal("stop") }),
]);
export type ConsoleSignInMessage = z.infer<typeof ConsoleSignInMessageSchema>;

/** Pool → console on the sign-in socket. */
export type PoolSignInMessage =
  | { type: "frame"; seq: number; data: string; width: number; height: number }
  | { type: "state"; state: SignInState; detail?: string; location?: string }
  | { type: "error"; message: string };
