import type { Env } from "./env.js";
import type { KeyRecord } from "./keys/key-store.js";

/** What middleware leaves on the Hono context for the handlers after it. */
export interface AppVariables {
  requestId: string;
  apiKey: KeyRecord;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
