import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { until } from "../../../shared/test-support/until.js";
import { main as auth } from "../../src/auth-cli.js";
import { loadConfig } from "../../src/config.js";
import { BrowserHost } from "../../src/host.js";
import type { Lane } from "../../src/lane.js";
import { createLogger } from "../../src/log.js";
import { SIM_MODEL_COUNT, startSimulator, type Simulator } from "../../simulator/server.js";
import { jobFrame } from "../driver/harness.js";
import { FakePool } from "../host/fake-pool.js";
import { signInBySim } from "../simulator/sign-in.js";
import { TestProxy } from "./test-proxy.js";

/*
 * Profiles in a real browser against the simulator (which answers as a signed-in or signed-out
 * Google would, and serves an IP echo): `auth check` and `auth login`, the host's egress check,
 * its proxy, the identity it shows, and cookie write-back.
 */

let sim: Simulator;
let dir: string;
let out: string[];
const print = (line: string) => out.push(line);
const common = () => [
  "--dir",
  dir,
  "--aistudio-url",
  sim.url,
  "--egress-url",
  `${sim.url}/__sim/egress`,
];

/** A session the simulator knows, signed in through its sign-in flow. */
const simSession = (): Promise<string> => signInBySim(sim.url, { identifier: "me@example.com" });

async function writeProfile(
  name: string,
  cookies: Array<{ name: string; value: string }>,
  meta: Record<string, unknown>,
): Promise<void> {
  const state = {
    cookies: cookies.map((c) => ({
      ...c,
      domain: "127.0.0.1",
      path: "/",
      expires: -1,
      httpOnly: true,
      secure: false,
    })),
    origins: [],
  };
  const file = join(dir, `${name}-import.json`);
  writeFileSync(file, JSON.stringify(state));
  const flags = Object.entries(meta).flatMap(([k, v]) => [`--${k}`, String(v)]);
  await auth(["import", file, "--dir", dir, "--name", name, ...flags], () => undefined);
}

beforeAll(async () => {
  sim = await startSimulator({ pace: { paceMs: 2, chunkChars: 40 } });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aistudio-edge-browser-profiles-"));
  out = [];
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
});

describe("npm run auth -- check", () => {
  it("reports signed in for a profile whose cookies the site accepts, and the egress match", async () => {
    await fetch(`${sim.url}/__sim/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requireLogin: true }),
    });
    await writeProfile("good", [{ name: "SID", value: await simSession() }], { country: "US" });
    expect(await auth(["check", "good", "--headless", ...common()], print)).toBe(0);
    expect(out.join("\n")).toMatch(/Egress: 127\.0\.0\.1 \(US\)/);
    expect(out.join("\n")).toContain(
      `Profile 'good': signed in — AI Studio loaded with ${SIM_MODEL_COUNT} models.`,
    );
  });

  it("reports the sign-in redirect for a profile the site no longer accepts", async () => {
    await fetch(`${sim.url}/__sim/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requireLogin: true }),
    });
    await writeProfile("stale", [{ name: "SID", value: "0123456789abcdef" }], { country: "US" });
    expect(await auth(["check", "stale", "--headless", ...common()], print)).toBe(1);
    expect(out.join("\n")).toMatch(/Profile 'stale': SIGN-IN REDIRECT — .*sign-in page/);
  });

  it("says so when the egress country is not the login's", async () => {
    await writeProfile("abroad", [], { country: "DE", ip: "198.51.100.4" });
    expect(await auth(["check", "abroad", "--headless", ...common()], print)).toBe(1);
    expect(out.join("\n")).toMatch(
      /Egress MISMATCH: this host reaches the internet from US .* login was made from DE/,
    );
  });
});

describe("npm run auth -- login", () => {
  it("waits for AI Studio to load signed in, then saves the profile with its egress and prints the path", async () => {
    expect(
      await auth(["login", "as_7.json", "--headless", "--timeout", "30", ...common()], print),
    ).toBe(0);
    const saved = join(dir, "saved", "7.json");
    expect(out.join("\n")).toContain(`Saved profile '7' to ${saved}`);
    const state = JSON.parse(readFileSync(saved, "utf8"));
    expect(state.cookies.map((c: { name: string }) => c.name)).toContain("SIDCC");
    expect(state.origins[0].origin).toBe(sim.url);
    expect(JSON.parse(readFileSync(join(dir, "saved", "7.meta.json"), "utf8"))).toMatchObject({
      country: "US",
      egressIp: "127.0.0.1",
      timezone: "America/New_York",
      source: "login",
    });
  });
});

describe("the host with a profile", () => {
  let pool: FakePool;
  let proxy: TestProxy;
  let host: BrowserHost | null = null;
  const internals = () => host as unknown as { lanes: Lane[]; browser: Browser };
  const lines: string[] = [];

  beforeEach(async () => {
    pool = await FakePool.start();
    proxy = await TestProxy.start();
    lines.length = 0;
  });
  afterEach(async () => {
    await host?.stop();
    host = null;
    await pool.close();
    await proxy.close();
  });

  const start = (extra: Record<string, string> = {}) => {
    host = new BrowserHost(
      loadConfig({
        POOL_URL: pool.url,
        HOST_TOKEN: "t",
        LANES: "1",
        AISTUDIO_URL: sim.url,
        AUTH_DIR: dir,
        EGRESS_CHECK_URL: `${sim.url}/__sim/egress`,
        LOG_LEVEL: "info",
        PAGE_TIMEOUT_MS: "15000",
        ...extra,
      }),
      createLogger("info", {}, (l) => lines.push(l)),
    );
    return host.start();
  };

  it("refuses to start when the egress country differs from the profile's", async () => {
    await writeProfile("de", [], { country: "DE", ip: "198.51.100.4" });
    await expect(start({ PROFILE: "de" })).rejects.toThrow(
      /Refusing to start: this host reaches the internet from US .*login was made from DE .*ALLOW_EGRESS_MISMATCH=1/,
    );
  });

  it("starts with a warning when ALLOW_EGRESS_MISMATCH=1", async () => {
    await writeProfile("de", [], { country: "DE" });
    await start({ PROFILE: "de", ALLOW_EGRESS_MISMATCH: "1" });
    expect(
      lines.some((l) => l.includes('"level":"warn"') && l.includes("egress country differs")),
    ).toBe(true);
  });

  it("sends the browser through the proxy with its credentials, with the profile's time zone, locale and place", async () => {
    await fetch(`${sim.url}/__sim/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ egress: { country: "JP", timezone: "Asia/Tokyo" } }),
    });
    await writeProfile("tokyo", [], { country: "JP", timezone: "Asia/Tokyo", locale: "ja-JP" });
    await start({ PROFILE: "tokyo", PROXY_URL: proxy.url });
    const expected = `Basic ${Buffer.from(`${proxy.user}:${proxy.password}`).toString("base64")}`;
    const toSim = proxy.seen.filter((s) => s.target.includes(`127.0.0.1:${sim.port}`));
    expect(toSim.length).toBeGreaterThan(3);
    expect(toSim.every((s) => s.auth === expected)).toBe(true);
    expect(toSim.some((s) => s.target.includes("/prompts/new_chat"))).toBe(true);
    expect(toSim.some((s) => s.target.includes("/__sim/egress"))).toBe(true);
    // The password never reaches a log line.
    expect(lines.join("\n")).not.toContain(proxy.password);
    const page = internals().lanes[0]!.page!;
    const seen = await page.evaluate(async () => {
      const position = await new Promise<GeolocationPosition>((resolve, reject) =>
        navigator.geolocation.getCurrentPosition(resolve, reject),
      );
      return {
        tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
        lang: navigator.language,
        locale: Intl.DateTimeFormat().resolvedOptions().locale,
        lat: position.coords.latitude,
      };
    });
    expect(seen).toEqual({ tz: "Asia/Tokyo", lang: "ja-JP", locale: "ja-JP", lat: 35.6762 });
  });

  it("keeps the shell's http_proxy away from the browser", async () => {
    const saved = {
      http_proxy: process.env.http_proxy,
      HTTPS_PROXY: process.env.HTTPS_PROXY,
      ALL_PROXY: process.env.ALL_PROXY,
    };
    Object.assign(process.env, {
      http_proxy: proxy.url,
      HTTPS_PROXY: proxy.url,
      ALL_PROXY: proxy.url,
    });
    try {
      await start();
      expect(host!.snapshot().lanes).toBe(1);
      expect(proxy.seen).toEqual([]);
      // Chromium reads proxy variables from its environment on Linux: they must not be there.
      const environ = readFileSync(
        `/proc/${internals().browser.process()!.pid}/environ`,
        "utf8",
      ).split("\0");
      expect(environ.filter((e) => /^(https?|all|no)_proxy=/i.test(e))).toEqual([]);
      expect(environ.length).toBeGreaterThan(3);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("writes fresh cookies back atomically between jobs and on shutdown, never mid-job", async () => {
    await writeProfile("renew", [{ name: "SID", value: "kept" }], { country: "US" });
    await auth(["activate", "renew", "--dir", dir], () => undefined);
    await start();
    const active = join(dir, "active", "renew.json");
    const before = statSync(active).mtimeMs;
    await fetch(`${sim.url}/__sim/scenario`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ scenario: "slow", paceMs: 150 }),
    });
    const { v: _v, ...frame } = jobFrame({ prompt: "long one", reasoningEffort: "none" }, "job_wb");
    await until(() => host!.snapshot().connected, "the host to connect", 30_000);
    pool.send(frame);
    await until(() => pool.events("job_wb", "text").length > 0, "the job's first text", 30_000);
    await host!.writeBack("test, mid-job");
    expect(statSync(active).mtimeMs).toBe(before);
    await until(() => pool.events("job_wb", "done").length > 0, "the job's end", 30_000);
    await host!.stop();
    host = null;
    const state = JSON.parse(readFileSync(active, "utf8"));
    expect(state.cookies.map((c: { name: string }) => c.name).sort()).toEqual(["SID", "SIDCC"]);
    expect(JSON.parse(readFileSync(join(dir, "saved", "renew.json"), "utf8"))).toEqual(state);
  });
});
