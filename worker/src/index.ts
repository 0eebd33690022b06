import { createApp } from "./app.js";

export { Pool } from "./pool/pool.js";
export { KeyLimiter } from "./keys/key-limiter.js";
export { ResponseStore } from "./responses/response-store.js";

const app = createApp();

export default app satisfies ExportedHandler<import("./env.js").Env>;
