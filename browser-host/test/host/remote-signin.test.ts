import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import type { SignInInput } from "@aistudio-edge/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { until as untilHolds } from "../../../shared/test-support/until.js";
import { loadConfig } from "../../src/config.js";
import { BrowserHost } from "../../src/host.js";
import { createLogger } from "../../src/log.js";
import { TokenBucket } from "@aistudio-edge/shared";
import { InputMapper } from "../../src/remote-signin/input.js";
import { Screencast, type ScreenFrame } from "../../src/remote-signin/screencast.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { jobFrame } from "../driver/harness.js";
import { FakePool } from "./fake-pool.js";

/*
 * Remote sign-in, end to end: the real host, started signed out against the simulator's
 * Google-like sign-in (identifier, then password), is signed in only through `signin.input`
 * frames, as the console would do it, working from the screen it is sent. Where to click is
 * read from the same pages loaded at the same viewport in a browser of the test's own.
 */

const VIEWPORT = { width: 1024, height: 768 };
const IDENTIFIER = "operator.seven@example.com";
const PASSWORD = "Tr1cky-Pa55!word";
const HOST_ID = "signin-host";
const MAX_FPS = 4;

type Point = { x: number; y: number };

let sim: Simulator;
let where: { identifier: Point; password: Point };
const IDENTIFIER_PAGE = () => `${sim.url}/v3/signin/identifier`;
const PASSWORD_PAGE = () => `${sim.url}/v3/signin/challenge/pwd`;

const until = (check: () => boolean, what: string, timeoutMs = 30_000) =>
  untilHolds(check, what, timeoutMs);

/** The centre of an element once the page's entrance animation is over. */
async function centre(page: Page, css: string): Promise<Point> {
  await page.waitForFunction(() => document.getAnimations().length === 0);
  return page.$eval(css, (e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
}

/** Where the identifier and password fields are at VIEWPORT, read from the test's own browser. */
async function fieldPositions(): Promise<{ identifier: Point; password: Point }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setViewport(VIEWPORT);
    await page.goto(`${IDENTIFIER_PAGE()}?continue=%2Fprompts%2Fnew_chat&flowName=GlifWebSignIn`);
    const identifier = await centre(page, "input#identifierId");
    await page.type("input#identifierId", "reference@example.com");
    await Promise.all([page.waitForNavigation(), page.click("#identifierNext button")]);
    await page.waitForSelector('input[name="Passwd"]:not([disabled])');
    const password = await centre(page, 'input[name="Passwd"]');
    return { identifier, password };
  } finally {
    await browser.close();
  }
}

beforeAll(async () => {
  sim = await startSimulator({
    requireLogin: true,
    signInPassword: PASSWORD,
    egress: { country: "CA", timezone: "America/Toronto" },
    pace: { paceMs: 2, chunkChars: 40 },
  });
  where = await fieldPositions();
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

/** A host signed out (no profile, the simulator asks for a login), against its own fake pool. */
async function signedOutHost(extra: Record<string, string> = {}) {
  const pool = await FakePool.start();
  const authDir = mkdtempSync(join(tmpdir(), "aistudio-edge-signin-auth-"));
  const snapshots = mkdtempSync(join(tmpdir(), "aistudio-edge-signin-snapshots-"));
  const lines: string[] = [];
  const host = new BrowserHost(
    loadConfig({
      POOL_URL: pool.url,
      HOST_TOKEN: "host-secret",
      HOST_ID,
      LANES: "1",
      AISTUDIO_URL: sim.url,
      AUTH_DIR: authDir,
      SNAPSHOT_DIR: snapshots,
      EGRESS_CHECK_URL: `${sim.url}/__sim/egress`,
      PAGE_TIMEOUT_MS: "15000",
      SIGNIN_MAX_FPS: String(MAX_FPS),
      ...extra,
    }),
    // Everything the host logs, debug included, is kept to be searched for what was typed.
    createLogger("debug", {}, (line) => lines.push(line)),
  );
  await host.start();
  await until(() => host.snapshot().connected, "the host to connect");
  const internals = () => host as unknown as { browser: Browser; signin: { open: boolean } };
  const contexts = () => internals().browser.browserContexts().length;
  const states = (sessionId: string) => pool.signIn("signin.state", sessionId);
  const cleanup = async () => {
    await host.stop();
    await pool.close();
    rmSync(authDir, { recursive: true, force: true });
    rmSync(snapshots, { recursive: true, force: true });
  };
  return { pool, host, authDir, snapshots, lines, internals, contexts, states, cleanup };
}

describe("remote sign-in", () => {
  let h: Awaited<ReturnType<typeof signedOutHost>>;
  const send = (sessionId: string, input: SignInInput) =>
    h.pool.send({ type: "signin.input", sessionId, input });
  const click = (sessionId: string, at: Point) => {
    send(sessionId, {
      kind: "mouse",
      action: "move",
      ...at,
      button: "none",
      clickCount: 0,
      modifiers: 0,
    });
    for (const action of ["down", "up"] as const)
      send(sessionId, {
        kind: "mouse",
        action,
        ...at,
        button: "left",
        clickCount: 1,
        modifiers: 0,
      });
  };
  const press = (sessionId: string, key: string, modifiers = 0) => {
    const code = /^[a-z]$/i.test(key)
      ? `Key${key.toUpperCase()}`
      : /^[0-9]$/.test(key)
        ? `Digit${key}`
        : key.length > 1
          ? key
          : "";
    for (const action of ["down", "up"] as const)
      send(sessionId, { kind: "key", action, key, code, modifiers });
  };
  /** Types as a keyboard would: one key per character, Shift held for capitals and symbols. */
  const type = (sessionId: string, text: string) => {
    for (const ch of text) press(sessionId, ch, /[A-Z~!@#$%^&*()_+{}|:"<>?]/.test(ch) ? 8 : 0);
  };
  const lastLocation = (sessionId: string) =>
    h.states(sessionId).findLast((s) => s.location !== undefined)?.location;

  beforeAll(async () => {
    h = await signedOutHost();
    await until(() => h.pool.lastStatus()?.state === "auth_expired", "auth_expired");
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  it("starts signed out: auth_expired, no models", () => {
    expect(h.pool.lastStatus()).toMatchObject({ state: "auth_expired", freeLanes: 0 });
    expect(h.pool.of("hello")[0]!.models).toEqual([]);
  });

  it("ignores input and stops for a session it does not have, saying so once at debug", async () => {
    const before = h.pool.frames.length;
    const stray = { kind: "text", text: "typed-for-nobody-42" } as const;
    h.pool.send({ type: "signin.input", sessionId: "s-nobody", input: stray });
    h.pool.send({ type: "signin.input", sessionId: "s-nobody", input: stray });
    h.pool.send({ type: "signin.stop", sessionId: "s-nobody", reason: "nothing to stop" });
    // Frames are handled in order: once this one is answered, those before it were read.
    h.pool.send({ type: "snapshot.request", requestId: "r-order", jobId: `job_${"0".repeat(32)}` });
    await until(() => h.pool.of("snapshot.end").length > 0, "the snapshot's answer");
    const answers = h.pool.frames.slice(before).filter((f) => f.type !== "status");
    expect(answers.map((f) => f.type)).toEqual(["snapshot.end"]);
    expect(h.pool.of("snapshot.end")[0]).toMatchObject({ requestId: "r-order", found: false });
    const said = h.lines.filter((l) => l.includes("s-nobody"));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('"level":"debug"');
    expect(h.lines.some((l) => l.includes("typed-for-nobody-42"))).toBe(false);
  });

  it("sends a saved failure snapshot in parts when asked", async () => {
    const jobId = `job_${"ab".repeat(16)}.1`;
    const folder = join(h.snapshots, "2026-01-02", jobId);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "error.json"), '{"code":"upstream_error"}');
    writeFileSync(join(folder, "dom.html"), "<html>x</html>");
    h.pool.send({ type: "snapshot.request", requestId: "r-snap", jobId });
    await until(
      () => h.pool.of("snapshot.end").some((f) => f.requestId === "r-snap"),
      "the snapshot",
    );
    const parts = h.pool.of("snapshot.part").filter((p) => p.requestId === "r-snap");
    expect(parts.map((p) => [p.file, Buffer.from(p.data, "base64").toString()])).toEqual([
      ["error.json", '{"code":"upstream_error"}'],
      ["dom.html", "<html>x</html>"],
    ]);
    expect(h.pool.of("snapshot.end").at(-1)).toMatchObject({ found: true, truncated: [] });
  });

  it("closes a session and its browser context on signin.stop", async () => {
    const contexts = h.contexts();
    h.pool.send({ type: "signin.start", sessionId: "s-stop", viewport: VIEWPORT });
    await until(() => h.states("s-stop").some((s) => s.state === "opened"), "the session to open");
    expect(h.states("s-stop")[0]).toMatchObject({ state: "opened", location: IDENTIFIER_PAGE() });
    expect(h.contexts()).toBe(contexts + 1);
    // The same start again (a console that reconnected) is told where the session is.
    h.pool.send({ type: "signin.start", sessionId: "s-stop", viewport: VIEWPORT });
    await until(() => h.states("s-stop").length === 2, "the state again");
    expect(h.states("s-stop")[1]).toMatchObject({ state: "opened", location: IDENTIFIER_PAGE() });
    expect(h.contexts()).toBe(contexts + 1);
    h.pool.send({ type: "signin.stop", sessionId: "s-stop", reason: "closed by the operator" });
    await until(() => h.states("s-stop").some((s) => s.state === "closed"), "the session to close");
    expect(h.states("s-stop").at(-1)).toMatchObject({
      state: "closed",
      detail: "closed by the operator",
    });
    await until(() => h.contexts() === contexts, "its context to close");
    expect(h.internals().signin.open).toBe(false);
  });

  it("is signed in through the operator's input alone, then saves the profile and serves", async () => {
    const id = "s-main";
    h.pool.send({ type: "signin.start", sessionId: id, viewport: VIEWPORT });
    await until(() => h.states(id).some((s) => s.state === "opened"), "the session to open");
    expect(h.states(id)[0]).toMatchObject({ state: "opened", location: IDENTIFIER_PAGE() });

    // A second session is refused, and the first goes on.
    h.pool.send({ type: "signin.start", sessionId: "s-second", viewport: VIEWPORT });
    await until(() => h.states("s-second").length > 0, "the second start's answer");
    expect(h.states("s-second")).toEqual([
      expect.objectContaining({
        state: "failed",
        detail: "a sign-in session is already open on this host",
      }),
    ]);

    await until(() => h.pool.signIn("signin.frame", id).length > 0, "the first screen");
    click(id, where.identifier);
    type(id, IDENTIFIER);
    press(id, "Enter");
    await until(() => lastLocation(id) === PASSWORD_PAGE(), "the password page");

    // The password field takes input ~300 ms after its page loads, which the operator sees on
    // the screen; here a few fresh frames of that page stand for looking. A password typed too
    // early is lost, leaves the page where it was, and is typed again.
    for (let attempt = 1; ; attempt++) {
      const seen = h.pool.signIn("signin.frame", id).length;
      const since = Date.now();
      await until(
        () => h.pool.signIn("signin.frame", id).length >= seen + 3 || Date.now() - since > 2_000,
        "the password page to settle",
      );
      click(id, where.password);
      press(id, "End");
      for (let i = 0; i < PASSWORD.length + 2; i++) press(id, "Backspace");
      type(id, PASSWORD);
      press(id, "Enter");
      try {
        await until(() => lastLocation(id) !== PASSWORD_PAGE(), "the password to be taken", 8_000);
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }

    await until(() => h.states(id).some((s) => s.state === "signed_in"), "signed_in", 45_000);
    expect(h.states(id).at(-1)).toMatchObject({
      state: "signed_in",
      detail: `saved profile ${HOST_ID}`,
    });
    // The host loads the new profile: a hello with the models, then ready.
    await until(
      () => h.pool.of("hello").length >= 2 && h.pool.of("hello").at(-1)!.models.length > 0,
      "a hello with the models",
      45_000,
    );
    const hello = h.pool.of("hello").at(-1)!;
    // The egress country the pool lists: the simulator's echo says CA.
    expect(hello).toMatchObject({
      hostId: HOST_ID,
      lanes: 1,
      profileId: HOST_ID,
      egressCountry: "CA",
    });
    expect(hello.models.map((m) => m.id)).toContain("gemini-2.5-flash");
    await until(() => h.pool.lastStatus()?.state === "ready", "ready");
    expect(h.pool.lastStatus()).toMatchObject({ state: "ready", lanes: 1, freeLanes: 1 });
    // Ready again: the "loading the profile" detail is not carried over.
    expect(h.pool.lastStatus()!.detail).toBeUndefined();

    // The profile: saved private, with the egress the simulator reports, and made active.
    const saved = join(h.authDir, "saved", `${HOST_ID}.json`);
    const metaFile = join(h.authDir, "saved", `${HOST_ID}.meta.json`);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(statSync(metaFile).mode & 0o777).toBe(0o600);
    const state = JSON.parse(readFileSync(saved, "utf8")) as { cookies: Array<{ name: string }> };
    expect(state.cookies.map((c) => c.name)).toContain("SID");
    expect(JSON.parse(readFileSync(metaFile, "utf8"))).toMatchObject({
      country: "CA",
      timezone: "America/Toronto",
      egressIp: "127.0.0.1",
      source: "remote-signin",
    });
    expect(existsSync(join(h.authDir, "active", `${HOST_ID}.json`))).toBe(true);
    // The sign-in's context is gone: the default one and the lane's remain.
    await until(() => h.contexts() === 2, "the sign-in context to close");
    expect(h.internals().signin.open).toBe(false);

    // And the host serves.
    const { v: _v, ...job } = jobFrame(
      { prompt: "Hello after sign-in", reasoningEffort: "none" },
      "job_after_signin",
    );
    h.pool.send(job);
    await until(() => h.pool.ended("job_after_signin"), "the job");
    expect(h.pool.events("job_after_signin", "done")).toHaveLength(1);
  });

  it("streamed the screen as JPEG, at most SIGNIN_MAX_FPS + 1 frames in any second", () => {
    const frames = h.pool.signIn("signin.frame", "s-main");
    expect(frames.length).toBeGreaterThan(3);
    for (const f of frames) {
      expect(f.data.startsWith("/9j/")).toBe(true);
      expect(f).toMatchObject({ width: VIEWPORT.width, height: VIEWPORT.height });
    }
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    // More were painted than sent: the throttle dropped the older ones.
    const ended = h.lines.find(
      (l) => l.includes('"signin":"s-main"') && l.includes("remote sign-in ended"),
    );
    const counts = JSON.parse(ended!) as { framesPainted: number; framesSent: number };
    expect(counts.framesSent).toBe(frames.length);
    expect(counts.framesPainted).toBeGreaterThan(counts.framesSent);
    const times = h.pool.frameTimes("s-main");
    const busiest = Math.max(
      ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length),
    );
    expect(busiest).toBeLessThanOrEqual(MAX_FPS + 1);
  });

  it("wrote nothing typed to its log or to a frame, and no query in a location", () => {
    expect(h.lines.some((l) => l.includes('"level":"debug"'))).toBe(true);
    for (const secret of [
      IDENTIFIER,
      encodeURIComponent(IDENTIFIER),
      PASSWORD,
      encodeURIComponent(PASSWORD),
    ]) {
      expect(h.lines.filter((l) => l.includes(secret))).toEqual([]);
      expect(h.pool.frames.filter((f) => JSON.stringify(f).includes(secret))).toEqual([]);
    }
    const locations = h.pool.of("signin.state").flatMap((s) => (s.location ? [s.location] : []));
    expect(locations).toContain(PASSWORD_PAGE());
    expect(locations.filter((l) => /[?#]/.test(l))).toEqual([]);
  });
});

describe("a remote sign-in session's end", () => {
  let h: Awaited<ReturnType<typeof signedOutHost>>;

  beforeAll(async () => {
    h = await signedOutHost({ SIGNIN_IDLE_MS: "1500" });
    await until(() => h.pool.lastStatus()?.state === "auth_expired", "auth_expired");
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  it("comes after SIGNIN_IDLE_MS without input, as closed 'idle'", async () => {
    const contexts = h.contexts();
    h.pool.send({ type: "signin.start", sessionId: "s-idle", viewport: VIEWPORT });
    await until(() => h.states("s-idle").some((s) => s.state === "opened"), "the session to open");
    const opened = Date.now();
    h.pool.send({
      type: "signin.input",
      sessionId: "s-idle",
      input: {
        kind: "mouse",
        action: "move",
        x: 5,
        y: 5,
        button: "none",
        clickCount: 0,
        modifiers: 0,
      },
    });
    await until(
      () => h.states("s-idle").some((s) => s.state === "closed"),
      "the idle close",
      15_000,
    );
    expect(Date.now() - opened).toBeGreaterThanOrEqual(1_400);
    expect(h.states("s-idle").at(-1)).toMatchObject({ state: "closed", detail: "idle" });
    await until(() => h.contexts() === contexts, "its context to close");
  });

  it("comes as failed, with a short reason, when its page crashes", async () => {
    const contexts = h.contexts();
    h.pool.send({ type: "signin.start", sessionId: "s-crash", viewport: VIEWPORT });
    await until(() => h.states("s-crash").some((s) => s.state === "opened"), "the session to open");
    const session = (h.host as unknown as { signin: { session: { page: Page } } }).signin.session;
    await session.page.goto("chrome://crash").catch(() => undefined);
    await until(() => h.states("s-crash").some((s) => s.state === "failed"), "the failure");
    expect(h.states("s-crash").at(-1)).toMatchObject({
      state: "failed",
      detail: "the sign-in page crashed",
    });
    await until(() => h.contexts() === contexts, "its context to close");
    expect(h.internals().signin.open).toBe(false);
  });

  it("comes when the link to the pool is lost", async () => {
    const contexts = h.contexts();
    h.pool.send({ type: "signin.start", sessionId: "s-link", viewport: VIEWPORT });
    await until(() => h.states("s-link").some((s) => s.state === "opened"), "the session to open");
    const hellos = h.pool.of("hello").length;
    h.pool.socket!.terminate();
    await until(() => !h.internals().signin.open, "the session to end");
    await until(() => h.contexts() === contexts, "its context to close");
    await until(() => h.pool.of("hello").length > hellos, "the host to reconnect", 15_000);
    // Input for it after the reconnect goes nowhere.
    h.pool.send({
      type: "signin.input",
      sessionId: "s-link",
      input: { kind: "text", text: "late" },
    });
    expect(h.internals().signin.open).toBe(false);
  });
});

describe("sign-in input as DevTools takes it", () => {
  const key = (key: string, modifiers = 0, action: "down" | "up" = "down") =>
    new InputMapper().map({ kind: "key", action, key, code: "", modifiers })[0]!.params;

  it("types a printable key with its text, and sends the others raw with their key codes", () => {
    expect(key("a")).toMatchObject({ type: "keyDown", text: "a", windowsVirtualKeyCode: 65 });
    expect(key("@", 8)).toMatchObject({ type: "keyDown", text: "@", modifiers: 8 });
    expect(key("Backspace")).toMatchObject({ type: "rawKeyDown", windowsVirtualKeyCode: 8 });
    expect(key("Backspace")).not.toHaveProperty("text");
    expect(key("Tab", 8)).toMatchObject({ type: "rawKeyDown", windowsVirtualKeyCode: 9 });
    expect(key("ArrowLeft")).toMatchObject({ type: "rawKeyDown", windowsVirtualKeyCode: 37 });
    expect(key("Escape")).toMatchObject({ windowsVirtualKeyCode: 27 });
    expect(key("Delete")).toMatchObject({ windowsVirtualKeyCode: 46 });
    // Enter carries "\r": a form submits on the keypress that makes.
    expect(key("Enter")).toMatchObject({ type: "keyDown", text: "\r", windowsVirtualKeyCode: 13 });
    // A shortcut is no text.
    expect(key("a", 2)).toMatchObject({ type: "rawKeyDown", windowsVirtualKeyCode: 65 });
    expect(key("a", 0, "up")).toMatchObject({ type: "keyUp", windowsVirtualKeyCode: 65 });
  });

  it("maps the mouse, the wheel and pasted text", () => {
    const mapper = new InputMapper();
    const mouse = (action: "down" | "up" | "move") =>
      mapper.map({
        kind: "mouse",
        action,
        x: 10,
        y: 20,
        button: "left",
        clickCount: 1,
        modifiers: 0,
      })[0]!;
    expect(mouse("down")).toEqual({
      method: "Input.dispatchMouseEvent",
      params: {
        type: "mousePressed",
        x: 10,
        y: 20,
        button: "left",
        buttons: 1,
        clickCount: 1,
        modifiers: 0,
      },
    });
    expect(mouse("move").params).toMatchObject({ type: "mouseMoved", buttons: 1, clickCount: 0 });
    expect(mouse("up").params).toMatchObject({ type: "mouseReleased", buttons: 0 });
    expect(mapper.map({ kind: "wheel", x: 1, y: 2, deltaX: 0, deltaY: 120 })[0]).toMatchObject({
      method: "Input.dispatchMouseEvent",
      params: { type: "mouseWheel", deltaY: 120 },
    });
    expect(mapper.map({ kind: "text", text: "pasted" })).toEqual([
      { method: "Input.insertText", params: { text: "pasted" } },
    ]);
  });
});

describe("the sign-in screencast", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A DevTools session that paints when told and records what it is sent. */
  function fakeCdp() {
    const handlers = new Map<string, (event: unknown) => void>();
    const sent: Array<{ method: string; params: unknown }> = [];
    const cdp = {
      on: (type: string, fn: (event: unknown) => void) => handlers.set(type, fn),
      off: (type: string) => handlers.delete(type),
      send: (method: string, params?: unknown) => {
        sent.push({ method, params });
        return Promise.resolve({});
      },
    };
    const paint = (n: number) =>
      handlers.get("Page.screencastFrame")?.({
        data: `/9j/frame${n}`,
        sessionId: n,
        metadata: { deviceWidth: 800, deviceHeight: 600 },
      });
    return { cdp, sent, paint };
  }

  it("acknowledges every frame, sends the newest at most maxFps a second, and never loses the last", async () => {
    vi.useFakeTimers({ now: 10_000 });
    const { cdp, sent, paint } = fakeCdp();
    const out: ScreenFrame[] = [];
    const cast = new Screencast(
      cdp as never,
      { width: 800, height: 600 },
      4,
      (f) => out.push(f),
      createLogger("error"),
    );
    await cast.start();
    expect(sent[0]).toMatchObject({
      method: "Page.startScreencast",
      params: { format: "jpeg", maxWidth: 800, maxHeight: 600 },
    });
    paint(1); // at once: nothing was sent yet
    vi.advanceTimersByTime(50);
    paint(2);
    vi.advanceTimersByTime(50);
    paint(3); // replaces 2, which is never sent
    expect(out.map((f) => f.data)).toEqual(["/9j/frame1"]);
    vi.advanceTimersByTime(150); // the interval opens at 250 ms: the pending frame goes
    expect(out.map((f) => f.data)).toEqual(["/9j/frame1", "/9j/frame3"]);
    vi.advanceTimersByTime(10);
    paint(4); // the last screen: sent when the next interval opens, with nothing after it
    vi.advanceTimersByTime(1_000);
    expect(out.map((f) => [f.seq, f.data, f.width, f.height])).toEqual([
      [0, "/9j/frame1", 800, 600],
      [1, "/9j/frame3", 800, 600],
      [2, "/9j/frame4", 800, 600],
    ]);
    const acks = sent.filter((s) => s.method === "Page.screencastFrameAck");
    expect(acks.map((a) => a.params)).toEqual([1, 2, 3, 4].map((sessionId) => ({ sessionId })));
    expect(cast.counts()).toEqual({ painted: 4, sent: 3 });
    await cast.stop();
    paint(5);
    vi.advanceTimersByTime(1_000);
    expect(out).toHaveLength(3);
    expect(sent.at(-1)!.method).toBe("Page.stopScreencast");
  });

  it("limits input to a rate with a burst", () => {
    let now = 0;
    const bucket = new TokenBucket(200, 100, now);
    let taken = 0;
    for (let i = 0; i < 300; i++) if (bucket.take(now)) taken++;
    expect(taken).toBe(200);
    now += 100; // 0.1 s: ten more
    taken = 0;
    for (let i = 0; i < 50; i++) if (bucket.take(now)) taken++;
    expect(taken).toBe(10);
  });
});
