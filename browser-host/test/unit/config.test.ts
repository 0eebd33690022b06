import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HostConfigSchema, loadConfig, poolSocketUrl } from "../../src/config.js";
import { createLogger } from "../../src/log.js";

describe("host configuration", () => {
  it("needs POOL_URL and HOST_TOKEN and says so, naming each", () => {
    expect(() => loadConfig({})).toThrow(/POOL_URL is required[\s\S]*HOST_TOKEN is required/);
  });

  it("explains bad values", () => {
    expect(() => loadConfig({ POOL_URL: "ftp://x", HOST_TOKEN: "t" })).toThrow(
      /POOL_URL must be an http\(s\):\/\/ or ws\(s\):\/\/ URL/,
    );
    expect(() =>
      loadConfig({ POOL_URL: "https://w.example", HOST_TOKEN: "t", LANES: "0" }),
    ).toThrow(/LANES/);
    expect(() =>
      loadConfig({ POOL_URL: "https://w.example", HOST_TOKEN: "t", HEADLESS: "maybe" }),
    ).toThrow(/HEADLESS use true or false/);
  });

  it("turns the Worker's URL into its host socket, and fills defaults", () => {
    const config = loadConfig({ POOL_URL: "https://w.example", HOST_TOKEN: "t" });
    expect(config.POOL_URL).toBe("wss://w.example/hosts/connect");
    expect(config).toMatchObject({
      LANES: 2,
      AISTUDIO_URL: "https://aistudio.google.com",
      HEADLESS: true,
      SNAPSHOT_KEEP: 50,
    });
    expect(poolSocketUrl("http://127.0.0.1:8787")).toBe("ws://127.0.0.1:8787/hosts/connect");
    expect(poolSocketUrl("wss://w.example/hosts/connect")).toBe("wss://w.example/hosts/connect");
  });

  it("gives each process its own host id unless HOST_ID is set", () => {
    const a = loadConfig({ POOL_URL: "https://w.example", HOST_TOKEN: "t" }).HOST_ID;
    const b = loadConfig({ POOL_URL: "https://w.example", HOST_TOKEN: "t" }).HOST_ID;
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9._-]+-[0-9a-f]{8}$/);
    expect(
      loadConfig({ POOL_URL: "https://w.example", HOST_TOKEN: "t", HOST_ID: "home-pc" }).HOST_ID,
    ).toBe("home-pc");
  });

  it("documents every setting in .env.example", () => {
    const example = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), "..", "..", ".env.example"),
      "utf8",
    );
    for (const key of Object.keys(HostConfigSchema.shape))
      expect(example, key).toMatch(new RegExp(`^${key}=`, "m"));
  });
});

describe("logging", () => {
  it("writes JSON lines and never a secret-looking field", () => {
    const lines: string[] = [];
    const log = createLogger("info", { hostId: "h" }, (l) => lines.push(l)).child({ lane: 1 });
    log.debug("hidden");
    log.info("hello", { token: "sk-secret", cookie: "SID=1", jobId: "job_1" });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      level: "info",
      msg: "hello",
      hostId: "h",
      lane: 1,
      jobId: "job_1",
      token: "[redacted]",
      cookie: "[redacted]",
    });
    expect(lines[0]).not.toContain("sk-secret");
  });
});
