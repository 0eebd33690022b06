import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { until } from "../../../shared/test-support/until.js";
import { decodeChunk } from "../../src/wire/generate-content-response.js";
import { POLL, RUN, fillPrompt, openChat, scenario } from "./page-helpers.js";

/**
 * Behaviour that needs one UI generation only: the look of the page, a frozen renderer, the
 * control API. The 2026 page, named (the default is 2026-08, whose overlays these raw clicks
 * would have to get past: that is the driver's job, tested in test/driver).
 */

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", ".artifacts");
let sim: Simulator;
let browser: Browser;

beforeAll(async () => {
  sim = await startSimulator({ ui: "2026", pace: { paceMs: 5, chunkChars: 40 } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await sim?.close();
});

describe("the simulated page", () => {
  it("looks like a chat app mid-answer (screenshot written to .artifacts/)", async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await openChat(page, `${sim.url}/prompts/new_chat`);
    await scenario(sim.url, { scenario: "slow", paceMs: 200, chunkChars: 16 });
    await fillPrompt(page, "2026", "Explain the tides to me, with the moon and the sun.");
    await page.click(RUN["2026"]);
    await page.waitForFunction(
      () =>
        (document.querySelector(".chat-turn-container.model ms-cmark-node")?.textContent?.length ??
          0) > 40,
      POLL,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "simulator-mid-answer.png") });
    expect(await page.$eval(RUN["2026"], (el) => el.textContent)).toContain("Stop");
    await page.click(RUN["2026"]);
    await context.close();
  });

  it("stops responding in the hang scenario (the renderer's main thread never returns)", async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await openChat(page, `${sim.url}/prompts/new_chat`);
    await scenario(sim.url, { scenario: "hang" });
    await fillPrompt(page, "2026", "freeze");
    // Not awaited: the renderer may freeze before it acknowledges the click's input events.
    void page.click(RUN["2026"]).catch(() => undefined);
    // Until the answer's headers reach the page it still responds; after that it never does.
    await until(
      () => sim.state.requests.some((r) => r.scenario === "hang"),
      "the hang request at the simulator",
      30_000,
    );
    // A page that does not answer a trivial evaluation within 5 s has stopped (a busy one answers).
    const answers = () =>
      Promise.race([
        page.evaluate(() => 1 + 1).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
      ]);
    await until(async () => !(await answers()), "the page to stop answering", 60_000);
    // And it stays stopped: "never" is what a driver must plan for.
    expect(await answers()).toBe(false);
    // A frozen page can still be closed from outside, which is how a driver recovers.
    await context.close();
  });
});

describe("the control API", () => {
  const post = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("validates scenario requests", async () => {
    const bad = await post("/__sim/scenario", { scenario: "teleport" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("scenario");
    expect((await post("/__sim/scenario", { scenario: "quota", runs: 2 })).status).toBe(200);
    expect((await post("/__sim/reset", {})).status).toBe(200);
    expect(await (await fetch(`${sim.url}/__sim/requests`)).json()).toEqual([]);
  });

  it("validates config changes: the 2026-08 options are accepted, unknown keys and values are not", async () => {
    const ok = await post("/__sim/config", {
      ui: "2026-08",
      firstRun: "random",
      firstRunSeed: 3,
      tokenCountMsPer1k: 50,
      rename: "runButton",
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()).options).toMatchObject({
      ui: "2026-08",
      firstRunSeed: 3,
      rename: "runButton",
    });
    for (const bad of [
      { ui: "2024" },
      { firstRun: "sometimes" },
      { teleport: true },
      { rename: "x" },
    ])
      expect((await post("/__sim/config", bad)).status, JSON.stringify(bad)).toBe(400);
    // The page names its generation nowhere: the boot config is read once and removed.
    const html = await (await fetch(`${sim.url}/prompts/new_chat`)).text();
    expect(html).toContain('"ui":"2026-08"');
    expect(html).not.toContain("data-ui");
    await post("/__sim/reset", {});
  });

  it("signs the session out and in; page loads follow", async () => {
    await post("/__sim/session", { signedIn: false });
    const out = await fetch(`${sim.url}/prompts/new_chat`, { redirect: "manual" });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toMatch(/^\/v3\/signin\/identifier\?continue=/);
    await post("/__sim/session", { signedIn: true });
    expect((await fetch(`${sim.url}/prompts/new_chat`, { redirect: "manual" })).status).toBe(200);
  });

  it("answers ListModels with or without the anti-XSSI line, and the helper RPCs as captured", async () => {
    const rpc = (name: string) =>
      fetch(
        `${sim.url}/$rpc/google.internal.alkali.applications.makersuite.v1.MakerSuiteService/${name}`,
        { method: "POST", body: "[]" },
      );
    expect((await (await rpc("ListModels")).text()).startsWith('[[["models/')).toBe(true);
    await post("/__sim/config", { xssi: true });
    expect((await (await rpc("ListModels")).text()).startsWith(")]}'\n")).toBe(true);
    const quota = await rpc("StreamGenerateContentPerUserQuota");
    expect(quota.status).toBe(404);
    expect(await quota.text()).toMatch(/^\[, \[5, "Ambiguous request/);
    const u7 = await fetch(`${sim.url}/u/7/prompts/new_chat?model=x`, { redirect: "manual" });
    expect(u7.headers.get("location")).toBe("/u/0/prompts/new_chat?model=x");
    await post("/__sim/reset", {});
  });
});

describe("streaming scenarios on the wire", () => {
  const generate = (prompt: string, signal?: AbortSignal) =>
    fetch(
      `${sim.url}/$rpc/google.internal.alkali.applications.makersuite.v1.MakerSuiteService/GenerateContent`,
      {
        method: "POST",
        headers: { "content-type": "application/json+protobuf" },
        body: JSON.stringify([
          "models/gemini-2.5-flash",
          [[[[null, prompt]], "user"]],
          null,
          [null, null, null, 65536],
          "!token",
        ]),
        ...(signal ? { signal } : {}),
      },
    );

  it("stall: the first chunk arrives, then nothing until the client gives up", async () => {
    const controller = new AbortController();
    const res = await generate("[[sim:stall]] hello", controller.signal);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^\[{8}null,/);
    const next = await Promise.race([
      reader.read().then(() => "data"),
      new Promise((r) => setTimeout(() => r("silence"), 1_500)),
    ]);
    expect(next).toBe("silence");
    controller.abort();
  });

  it("blocked: 200, one chunk whose prompt feedback carries PROHIBITED_CONTENT and no candidate, then the trailer", async () => {
    const body = JSON.parse(
      await (await generate("[[sim:blocked]] something bad")).text(),
    ) as unknown[][];
    expect(body[0]!.length).toBe(2);
    expect(decodeChunk(body[0]![0])).toEqual([
      { type: "response_id", id: expect.stringMatching(/^v1_/) },
      { type: "blocked", reason: 4 },
      { type: "usage", usage: expect.objectContaining({ candidates: null }) },
    ]);
    expect(decodeChunk(body[0]![1])[0]!.type).toBe("trailer");
  });

  it("long: an answer of at least 100 KB, streamed in many chunks", async () => {
    await post("/__sim/scenario", { scenario: "long", chunkChars: 4096, paceMs: 0 });
    const text = await (await generate("a long one")).text();
    const body = JSON.parse(text) as unknown[][];
    expect(body[0]!.length).toBeGreaterThan(25);
    expect(text.length).toBeGreaterThan(100 * 1024);
  });
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
