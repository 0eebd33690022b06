import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/*
 * Worker and Durable Object tests, run inside workerd. Timeouts are shortened so the stall,
 * queue and heartbeat paths can be exercised in milliseconds rather than minutes.
 */
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "../wrangler.toml" },
      miniflare: {
        bindings: {
          ADMIN_TOKEN: "test-admin-token",
          HOST_TOKEN: "test-host-token",
          QUEUE_MAX: "2",
          QUEUE_TIMEOUT_MS: "1000",
          STALL_TIMEOUT_MS: "2500",
          JOB_DEADLINE_MS: "4000",
          CANCEL_GRACE_MS: "500",
          MAX_BODY_BYTES: "65536",
          QUOTA_COOLDOWN_MS: "60000",
          HEARTBEAT_MS: "1000",
          HELLO_TIMEOUT_MS: "1000",
          NONSTREAM_KEEPALIVE_MS: "200",
          // Low enough that a flood outruns the refill even when a loaded machine processes
          // only a few hundred frames a second (the default refill, 500/s, might not be outrun).
          HOST_FRAME_BURST: "300",
          HOST_FRAMES_PER_SECOND: "50",
          // Small enough that the caps can be passed quickly; the local file server is on
          // loopback, so private URLs are allowed (one test turns it off again).
          ATTACHMENT_MAX_BYTES: "4194304",
          ATTACHMENTS_MAX_BYTES: "6291456",
          ATTACHMENTS_MAX_COUNT: "4",
          ATTACHMENT_FETCH_TIMEOUT_MS: "1500",
          ATTACHMENT_ALLOW_PRIVATE_URLS: "true",
        },
      },
    }),
  ],
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    // A loopback file server (in Node) for the attachment fetches.
    globalSetup: ["./test-server/global-setup.ts"],
    testTimeout: 20_000,
    // Info lines (job accepted, dispatched…) drown the output; warnings and errors still show.
    onConsoleLog: (line) => !line.includes('"level":"info"'),
  },
});
