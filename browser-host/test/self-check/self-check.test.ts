import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SelectorName } from "../../src/driver/selectors.js";
import { ruleOf } from "../../src/self-check/concepts.js";
import { ReportSchema, type Report } from "../../src/self-check/report.js";
import { TEST_PROMPT } from "../../src/self-check/trial-run.js";
import { UI_GENERATIONS, type UiGeneration } from "../../simulator/boot-config.js";
import { SIM_MODEL_COUNT, startSimulator, type Simulator } from "../../simulator/server.js";
import { TestProxy } from "../profile/test-proxy.js";
import { signInBySim } from "../simulator/sign-in.js";
import { runSelfCheck, simSettings } from "./run-self-check.js";

/*
 * `npm run self-check` as a child process against the simulator, one simulator per UI
 * generation (the list is the simulator's own, so a new generation is checked here without a
 * change): signed in, signed out, a renamed Run button with and without a SELECTORS_FILE that
 * finds it again, `--run`, and what the bug-report bundle may and may not hold.
 */

const sims = new Map<UiGeneration, Simulator>();
const dirs: string[] = [];
const sim = (ui: UiGeneration) => sims.get(ui)!;

async function control(s: Simulator, path: string, body: object = {}): Promise<void> {
  const res = await fetch(`${s.url}/__sim/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} refused: ${await res.text()}`);
}

async function check(s: Simulator, extra: Record<string, string> = {}, args: string[] = []) {
  const { dir, env } = simSettings(s.url, extra);
  dirs.push(dir);
  const run = await runSelfCheck(env, args);
  const report = args.includes("--json") ? ReportSchema.parse(JSON.parse(run.stdout)) : null;
  return { ...run, report, dir };
}

const row = (report: Report, concept: string) =>
  report.concepts.find((c) => c.concept === concept)!;
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

beforeAll(async () => {
  for (const ui of UI_GENERATIONS)
    sims.set(
      ui,
      // Every first-run overlay on 2026-08 (the other generations have none).
      await startSimulator({ ui, firstRun: "all", pace: { paceMs: 0, chunkChars: 200 } }),
    );
});
afterEach(async () => {
  for (const s of sims.values()) await control(s, "reset");
});
afterAll(async () => {
  for (const s of sims.values()) await s.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(UI_GENERATIONS)("npm run self-check on UI %s", (ui) => {
  it("exits 0 with every concept the driver needs matched, and names the generation", async () => {
    const { code, report, stderr } = await check(sim(ui), {}, ["--json"]);
    expect(code, stderr).toBe(0);
    expect(report!.generation).toBe(ui);
    expect(report!.signIn.state).toBe("signed-in");
    expect(report!.listModels).toMatchObject({ decoded: true, models: SIM_MODEL_COUNT });
    expect(report!.currentModel).toBe("gemini-3-flash-preview");
    expect(report!.temporaryChat).toBe("on");
    // Everything the driver needs, but what only a chat with turns has (--run checks those).
    const needed = report!.concepts.filter(
      (c) =>
        c.need !== "optional" && c.status !== "n/a" && !ruleOf(c.concept as SelectorName).afterRun,
    );
    expect(needed.length).toBeGreaterThan(20);
    for (const c of needed)
      expect([c.concept, c.status, c.source]).toEqual([c.concept, "ok", "built-in"]);
    expect(row(report!, "levelOption").status).toBe("ok");
    expect(row(report!, "declarationsEditor").status).toBe("ok");
    // Optional, yet looked for: the tools only some jobs turn on.
    expect(row(report!, "urlContext").status).toBe("ok");
    expect(row(report!, "codeExecution").status).toBe("ok");
    expect(row(report!, "thinkingToggle").status).toBe("n/a");
    expect(row(report!, "chatTurn").status).toBe("unchecked");
    if (ui === "2026-08") {
      expect(report!.overlaysDismissed.length).toBeGreaterThan(0);
      expect(report!.groupsExpanded).toBe(2);
    }
    // The table a person reads: the same rows, with the matched selector last.
    const text = readFileSync(join(report!.bundle!.dir, "report.txt"), "utf8");
    expect(text).toMatch(new RegExp(`^UI\\s+${ui} `, "m"));
    const css = row(report!, "runButton").matched!;
    expect(text).toContain(css);
    expect(text).toMatch(/^runButton\s+required\s+OK\s+built-in\s+\S/m);
    expect(text).toMatch(
      new RegExp(`^ListModels\\s+decoded \\(${SIM_MODEL_COUNT} models\\)$`, "m"),
    );
  });

  it("exits 3 when signed out, and prints where it went and the remedy", async () => {
    await control(sim(ui), "session", { signedIn: false });
    const { code, stdout } = await check(sim(ui));
    expect(code).toBe(3);
    expect(stdout).toMatch(/^Sign-in\s+SIGNED OUT: .*\/v3\/signin\/identifier$/m);
    expect(stdout).toContain("npm run auth -- login");
    expect(stdout).not.toMatch(/^CONCEPT/m);
  });
});

describe("npm run self-check, broken", () => {
  it("exits 1 naming the Run button when the page renamed its host", async () => {
    await control(sim("2026-08"), "config", { rename: "runButton" });
    const { code, stdout } = await check(sim("2026-08"));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^runButton\s+required\s+MISSING\s+-\s+none/m);
    expect(stdout).toMatch(/^ {2}runButton — Run button: /m);
    expect(stdout).toMatch(/FAIL: 1 concept the driver needs missing \(runButton\) \(exit 1\)/);
  });

  it("exits 2 naming the key of a SELECTORS_FILE that does not parse, before any browser", async () => {
    const { dir } = simSettings(sim("2026").url);
    dirs.push(dir);
    const file = join(dir, "selectors.json");
    writeFileSync(file, JSON.stringify({ version: 1, candidates: { runButon: ["x"] } }));
    const { code, stderr } = await check(sim("2026"), { SELECTORS_FILE: file });
    expect(code).toBe(2);
    expect(stderr).toMatch(/SELECTORS_FILE .*candidates.*Concepts: promptTextarea/);
  });
});

describe("npm run self-check with a SELECTORS_FILE and --run", () => {
  it("finds the renamed Run button through the override, and a real job on that catalogue is answered", async () => {
    const s = sim("2026-08");
    await control(s, "config", { rename: "runButton" });
    const { dir } = simSettings(s.url);
    dirs.push(dir);
    const file = join(dir, "selectors.json");
    writeFileSync(
      file,
      JSON.stringify({ version: 1, candidates: { runButton: ["footer ms-submit-button button"] } }),
    );
    const { code, report, stderr } = await check(s, { SELECTORS_FILE: file }, ["--json", "--run"]);
    expect(code, stderr).toBe(0);
    expect(row(report!, "runButton")).toMatchObject({
      status: "ok",
      source: "override",
      matched: "footer ms-submit-button button",
    });
    expect(report!.target.overrides).toEqual(["runButton"]);
    expect(report!.run).toMatchObject({ ok: true, done: true, error: null });
    expect(report!.run!.answer.length).toBeGreaterThan(0);
    // The answer came from the page's own request, through the renamed button.
    const sent = s.state.requests.filter((r) =>
      r.request.contents.some((c) => JSON.stringify(c).includes("self-check of the browser host")),
    );
    expect(sent).toHaveLength(1);
    expect(report!.run!.answer).toBe(sent[0]!.answer!.text.replace(/\s+/g, " ").slice(0, 80));
    expect(TEST_PROMPT).toContain("self-check of the browser host");
    // Only a chat with turns shows these; --run checks them on its page.
    expect(row(report!, "chatTurn").status).toBe("ok");
    expect(row(report!, "dialogConfirm").status).toBe("ok");
  });
});

describe("the bug-report bundle", () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await TestProxy.start();
  });
  afterAll(async () => {
    await proxy.close();
  });

  it("is private and holds no cookie, proxy password, e-mail or system instructions", async () => {
    const s = sim("2026-08");
    await control(s, "config", { requireLogin: true });
    // A real session cookie: the page loads only with it, so the profile is known to be used.
    const sid = await signInBySim(s.url, { identifier: "me@example.com" });
    // The 2026-08 page shows the selected preset's name on the system instructions card.
    const preset = "PELICAN-7 for jane.doe@example.com";
    const instructions = "Private instructions: codeword PELICAN-7";
    const { dir } = simSettings(s.url);
    dirs.push(dir);
    mkdirSync(join(dir, "auth", "saved"), { recursive: true });
    writeFileSync(
      join(dir, "auth", "saved", "secret.json"),
      JSON.stringify({
        cookies: [{ name: "SID", value: sid, domain: "127.0.0.1", path: "/", httpOnly: true }],
        origins: [
          {
            origin: s.url,
            localStorage: [
              {
                name: "systemInstructionsConfigs",
                value: JSON.stringify([{ name: preset, text: instructions }]),
              },
              {
                name: "aiStudioUserPreference",
                value: JSON.stringify({ selectedSystemInstructionsConfigName: preset }),
              },
            ],
          },
        ],
      }),
    );
    const out = join(dir, "bundle");
    const { code, stdout, stderr } = await check(
      s,
      { PROFILE: "secret", PROXY_URL: proxy.url, AUTH_DIR: join(dir, "auth") },
      ["--out", out],
    );
    expect(code, stdout + stderr).toBe(0);
    expect(proxy.seen.some((r) => r.target.includes("/prompts/new_chat"))).toBe(true);
    expect(stdout).toMatch(/profile: secret, proxy: http:\/\/pr\*\*\*:\*\*\*@127\.0\.0\.1/);

    const files = readdirSync(out).sort();
    expect(files).toEqual([
      "console.log",
      "dom.html",
      "report.json",
      "report.txt",
      "screenshot.png",
      "self-check.log",
    ]);
    expect(mode(out)).toBe("700");
    for (const f of files) expect([f, mode(join(out, f))]).toEqual([f, "600"]);
    const everything = [
      stdout,
      stderr,
      ...files.filter((f) => f !== "screenshot.png").map((f) => readFileSync(join(out, f), "utf8")),
    ].join("\n");
    for (const secret of [sid, proxy.password, encodeURIComponent(proxy.password), "PELICAN-7"])
      expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/jane\.doe|me@example\.com/);
    // The DOM is there, its form values are not.
    const dom = readFileSync(join(out, "dom.html"), "utf8");
    expect(dom).toContain("ms-prompt-box");
    expect(dom).toContain("[redacted]");
  });
});
