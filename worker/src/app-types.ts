import type { Env } from "./env.js";
import type { Door } from "./doors/error-shape.js";
import type { KeyRecord } from "./keys/key-store.js";

/** What middleware leaves on the Hono context for the handlers after it. */
export interface AppVariables {
  requestId: string;
  apiKey: KeyRecord;
  /** The request body, read by `bodyLimit` (after authentication) within MAX_BODY_BYTES. */
  body: Uint8Array;
  /** Set once the pool accepted the request's job: the ledger records its end, not onError. */
  jobAccepted?: boolean;
  /** The vendor API the route speaks (doors/door.ts); errors are written in its shape. */
  door?: Door;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
