import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Self-contained (no project imports), so Node 22 can run it with plain type stripping.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/*
 * Bundles the browser host, its auth command, the self-check and the health check into plain ESM
 * files for the container, so the image needs Node and Chromium but none of the build tooling.
 */

const out = join(ROOT, "browser-host", "dist");
await build({
  entryPoints: {
    host: join(ROOT, "browser-host/src/main.ts"),
    auth: join(ROOT, "browser-host/src/auth-cli.ts"),
    "self-check": join(ROOT, "browser-host/src/self-check.ts"),
    healthcheck: join(ROOT, "browser-host/src/healthcheck.ts"),
  },
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // The container runs Debian's chromium; the npm fallback browser stays out of the image.
  external: ["@sparticuz/chromium"],
  // CommonJS dependencies (ws, proxy-chain) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: "info",
});
console.log(`Bundled into ${out}`);
