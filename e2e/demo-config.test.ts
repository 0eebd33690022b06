import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoHostConfig, prepareDemoDir, writeDemoState } from "../scripts/demo-config.js";

/*
 * What `npm run demo` touches, without starting it (full-stack.test.ts starts it): the host it
 * runs reaches only this machine, and the state that holds the admin token is this user's alone.
 */

let root: string;
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "aistudio-edge-demo-config-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the demo's browser host", () => {
  it("is configured with loopback addresses only, the egress check included", () => {
    const config = demoHostConfig({
      poolUrl: "http://127.0.0.1:8787",
      hostToken: "t",
      lanes: 2,
      simulatorUrl: "http://127.0.0.1:9300",
      demoDir: root,
    });
    expect(config.EGRESS_CHECK_URL).toBe("http://127.0.0.1:9300/__sim/egress");
    const urls = Object.entries(config).filter(
      (e): e is [string, string] => typeof e[1] === "string" && /^[a-z]+:\/\//.test(e[1]),
    );
    expect(urls.map(([k]) => k).sort()).toEqual(["AISTUDIO_URL", "EGRESS_CHECK_URL", "POOL_URL"]);
    for (const [key, url] of urls) expect([key, new URL(url).hostname]).toEqual([key, "127.0.0.1"]);
    expect(config.PROXY_URL).toBeUndefined();
  });

  it("keeps its profiles and snapshots inside the demo's folder", () => {
    const config = demoHostConfig({
      poolUrl: "http://127.0.0.1:8787",
      hostToken: "t",
      lanes: 1,
      simulatorUrl: "http://127.0.0.1:9300",
      demoDir: root,
    });
    expect(config.AUTH_DIR).toBe(join(root, "auth_profiles"));
    expect(config.SNAPSHOT_DIR).toBe(join(root, "snapshots"));
  });
});

describe("the demo's state", () => {
  const state = {
    baseUrl: "http://127.0.0.1:8787/v1",
    apiKey: "sk-demo",
    adminToken: "admin-secret",
    simulatorUrl: "http://127.0.0.1:9300",
  };

  it("is a 0700 folder with a 0600 state.json, also when an older demo left them readable", async () => {
    const dir = join(root, ".demo");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "state.json"), "{}");
    chmodSync(join(dir, "state.json"), 0o644);
    prepareDemoDir(dir);
    const file = await writeDemoState(dir, state);
    expect(file).toBe(join(dir, "state.json"));
    expect([mode(dir), mode(file)]).toEqual(["700", "600"]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(state);
  });

  it("creates a missing folder 0700", () => {
    const dir = join(root, "nested", ".demo");
    prepareDemoDir(dir);
    expect(mode(dir)).toBe("700");
  });
});
