import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AiStudioPage } from "../../src/driver/aistudio-page.js";
import { AuthExpiredError } from "../../src/driver/errors.js";
import { createLogger } from "../../src/log.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { SIGN_IN_FLOW_TTL_MS } from "../../simulator/signin-flow.js";
import { launchChromium } from "../chromium.js";
import { POLL, WAIT, openChat } from "./page-helpers.js";
import { signInBySim } from "./sign-in.js";

/*
 * The simulator's Google-like sign-in in real Chromium: identifier, password (which takes input
 * only after the page has animated in), the optional phone step, and the session it ends with.
 * The driver must see every one of these pages as "signed out".
 */

const IDENTIFIER = "/v3/signin/identifier";
const PASSWORD = "/v3/signin/challenge/pwd";
const PHONE = "/v3/signin/challenge/dp";
const PASSWD = 'input[type="password"][name="Passwd"]';

let sim: Simulator;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const chat = () => `${sim.url}/prompts/new_chat`;
const path = () => new URL(page.url()).pathname;
const driver = () => new AiStudioPage(page, sim.url, 10_000, createLogger("error"));

async function control(route: string, body: object = {}): Promise<unknown> {
  const res = await fetch(`${sim.url}/__sim/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${route} refused: ${await res.text()}`);
  return res.json();
}

/** Waits until the page is at a path (after any redirects) and its document is parsed. */
async function at(pathname: string): Promise<void> {
  await page.waitForFunction(
    (p: string) => location.pathname === p && document.readyState !== "loading",
    POLL,
    pathname,
  );
}

const text = (selector: string) =>
  page.$eval(selector, (el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

/** Types an identifier and presses Enter (the form submits on Enter, as Google's does). */
async function identify(identifier: string): Promise<void> {
  await page.waitForSelector("input#identifierId", WAIT);
  if (identifier) await page.type("input#identifierId", identifier);
  await Promise.all([page.waitForNavigation(WAIT), page.keyboard.press("Enter")]);
}

/** Waits for the password field to take input, types the password and clicks Next. */
async function enterPassword(password: string): Promise<void> {
  await page.waitForFunction(
    (css: string) => document.querySelector<HTMLInputElement>(css)?.disabled === false,
    POLL,
    PASSWD,
  );
  await page.type(PASSWD, password);
  await Promise.all([page.waitForNavigation(WAIT), page.click("div#passwordNext button")]);
}

/** A signed-out load of the chat page, up to the password page. */
async function toPasswordPage(): Promise<void> {
  await page.goto(chat(), { waitUntil: "domcontentloaded" });
  await at(IDENTIFIER);
  await identify("me@example.com");
  await at(PASSWORD);
}

async function expectSignedOut(): Promise<void> {
  expect(await driver().signInReason()).toMatch(/sign-in page/);
}

beforeAll(async () => {
  sim = await startSimulator({ requireLogin: true, pace: { paceMs: 2, chunkChars: 40 } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await sim?.close();
});
beforeEach(async () => {
  context = await browser.createBrowserContext();
  page = await context.newPage();
});
afterEach(async () => {
  await context.close();
  await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
});

describe("the simulator's sign-in flow", () => {
  it("sends a signed-out load to the identifier page, which the driver reports as signed out", async () => {
    await page.goto(`${chat()}?model=gemini-2.5-pro`, { waitUntil: "domcontentloaded" });
    await at(IDENTIFIER);
    const url = new URL(page.url());
    expect(url.searchParams.get("continue")).toBe("/prompts/new_chat?model=gemini-2.5-pro");
    expect(url.searchParams.get("flowName")).toBe("GlifWebSignIn");
    expect(await page.title()).toBe("Sign in - Google Accounts");
    expect(
      await page.$eval("input#identifierId", (el) => [
        el.getAttribute("type"),
        el.getAttribute("name"),
        el.getAttribute("autocomplete"),
      ]),
    ).toEqual(["email", "identifier", "username"]);
    expect(await text("div#identifierNext button")).toBe("Next");
    await expectSignedOut();
    // The driver's page load ends in the sign-in error, not a timeout.
    await expect(driver().load(null)).rejects.toBeInstanceOf(AuthExpiredError);
  });

  it("refuses an empty or malformed identifier with Google's message", async () => {
    await page.goto(chat(), { waitUntil: "domcontentloaded" });
    await at(IDENTIFIER);
    await Promise.all([page.waitForNavigation(WAIT), page.click("div#identifierNext button")]);
    expect(path()).toBe(IDENTIFIER);
    expect(await text("div[aria-live=assertive]")).toBe("Enter an email or phone number");
    expect(await page.$eval("input#identifierId", (el) => el.getAttribute("aria-invalid"))).toBe(
      "true",
    );
    // No "@" and no phone number: the same message, the value kept.
    await identify("not an address");
    expect(path()).toBe(IDENTIFIER);
    expect(await text("div[aria-live=assertive]")).toBe("Enter an email or phone number");
    expect(await page.$eval("input#identifierId", (el) => (el as HTMLInputElement).value)).toBe(
      "not an address",
    );
    // The continue address survives the error; a phone number is an identifier too.
    expect(await page.$eval('input[name="continue"]', (el) => (el as HTMLInputElement).value)).toBe(
      "/prompts/new_chat",
    );
    await page.$eval("input#identifierId", (el) => {
      (el as HTMLInputElement).value = "";
    });
    await identify("+1 650 555 0100");
    await at(PASSWORD);
  });

  it("shows the password page for the identifier, and refuses a wrong password", async () => {
    await toPasswordPage();
    expect(await page.title()).toBe("Sign in - Google Accounts");
    expect(await text("h1")).toBe("Welcome");
    expect(await page.$eval("div[data-email]", (el) => el.getAttribute("data-email"))).toBe(
      "me@example.com",
    );
    expect(await page.$eval(PASSWD, (el) => el.getAttribute("aria-label"))).toBe(
      "Enter your password",
    );
    await expectSignedOut();
    // "Show password" shows it, and hides it again.
    await page.click("#showPassword");
    expect(await page.$eval('input[name="Passwd"]', (el) => el.getAttribute("type"))).toBe("text");
    await page.click("#showPassword");
    expect(await page.$eval('input[name="Passwd"]', (el) => el.getAttribute("type"))).toBe(
      "password",
    );

    await enterPassword("not-the-password");
    await at(PASSWORD);
    expect(await text("div[aria-live=assertive]")).toBe(
      "Wrong password. Try again or click Forgot password to reset it.",
    );
    expect(await page.$eval(PASSWD, (el) => el.getAttribute("aria-invalid"))).toBe("true");
    expect(sim.state.sessions.size).toBe(0);
  });

  it("keeps the password field disabled until the page has animated in", async () => {
    // Recorded from inside the page: the field's state when the document is parsed, and when
    // (since navigation start) it first takes input.
    await page.evaluateOnNewDocument((css: string) => {
      const seen = { disabledAtLoad: null as boolean | null, enabledAt: null as number | null };
      (window as unknown as { __pwd: typeof seen }).__pwd = seen;
      document.addEventListener("DOMContentLoaded", () => {
        const input = document.querySelector<HTMLInputElement>(css);
        if (!input) return;
        seen.disabledAtLoad = input.disabled;
        new MutationObserver(() => {
          if (!input.disabled && seen.enabledAt === null) seen.enabledAt = performance.now();
        }).observe(input, { attributes: true, attributeFilter: ["disabled"] });
      });
    }, PASSWD);
    await toPasswordPage();
    await page.waitForFunction(
      () => (window as unknown as { __pwd: { enabledAt: number | null } }).__pwd.enabledAt !== null,
      POLL,
    );
    const seen = await page.evaluate(
      () => (window as unknown as { __pwd: { disabledAtLoad: boolean; enabledAt: number } }).__pwd,
    );
    expect(seen.disabledAtLoad).toBe(true);
    expect(seen.enabledAt).toBeGreaterThanOrEqual(300);
    // Once enabled it has the focus, so typing goes into it.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("Passwd");
  });

  it("signs in with the right password: AI Studio loads with an HttpOnly SID session", async () => {
    await page.goto(`${chat()}?model=gemini-2.5-pro`, { waitUntil: "domcontentloaded" });
    await at(IDENTIFIER);
    await identify("me@example.com");
    await at(PASSWORD);
    await enterPassword("demo-password");
    await at("/prompts/new_chat");
    expect(new URL(page.url()).search).toBe("?model=gemini-2.5-pro");
    await openChat(page, chat());
    expect(await driver().signInReason()).toBeNull();
    const sid = (await context.cookies()).find((c) => c.name === "SID");
    expect(sid).toMatchObject({ httpOnly: true, path: "/" });
    expect(sim.state.sessions.has(sid!.value)).toBe(true);
    expect(sim.state.signedOut).toBe(false);
    expect(sim.state.signInFlows.size).toBe(0);
    // The page cannot read it; the driver's own load works.
    expect(await page.evaluate(() => document.cookie)).not.toContain("SID=");
    expect((await driver().load(null)).length).toBeGreaterThan(0);
  });

  it("waits on the phone step, then continues once it is approved", async () => {
    const approveMs = 1_500;
    await control("config", { signInPhoneApproveMs: approveMs });
    await toPasswordPage();
    const before = Date.now();
    await enterPassword("demo-password");
    await at(PHONE);
    expect(await page.title()).toBe("Sign in - Google Accounts");
    expect(await text("h1")).toBe("Check your phone");
    expect(await text("#dpText")).toBe(
      "Google sent a notification to your phone. Tap Yes on the notification to verify it's you.",
    );
    expect(await page.$eval("div[data-email]", (el) => el.getAttribute("data-email"))).toBe(
      "me@example.com",
    );
    await expectSignedOut();
    await at("/prompts/new_chat");
    // The page was shown after `before`, and approved signInPhoneApproveMs after it was shown.
    expect(Date.now() - before).toBeGreaterThanOrEqual(approveMs);
    await openChat(page, chat());
    expect((await context.cookies()).find((c) => c.name === "SID")?.httpOnly).toBe(true);
  });

  it("approves the phone step at once through POST /__sim/signin/approve", async () => {
    await control("config", { signInPhoneApproveMs: 600_000 });
    await toPasswordPage();
    await enterPassword("demo-password");
    await at(PHONE);
    // The page polls: it has asked at least once and is still waiting.
    await page.waitForResponse((r) => r.url().includes(`${PHONE}/status`), WAIT);
    expect(path()).toBe(PHONE);
    expect(await control("signin/approve")).toEqual({ approved: 1 });
    await at("/prompts/new_chat");
    await openChat(page, chat());
    expect(await control("signin/approve")).toEqual({ approved: 0 });
  });

  it("sends an unknown or expired TL back to the identifier page", async () => {
    for (const step of [PASSWORD, PHONE]) {
      await page.goto(`${sim.url}${step}?TL=no-such-flow`, { waitUntil: "domcontentloaded" });
      await at(IDENTIFIER);
      await expectSignedOut();
    }
    await toPasswordPage();
    const tl = new URL(page.url()).searchParams.get("TL")!;
    sim.state.signInFlows.get(tl)!.createdAt -= SIGN_IN_FLOW_TTL_MS + 1;
    await enterPassword("demo-password");
    await at(IDENTIFIER);
    expect(sim.state.signInFlows.has(tl)).toBe(false);
    expect(sim.state.sessions.size).toBe(0);
  });

  it("walks the flow without a browser for tests that need a session (signInBySim)", async () => {
    const sid = await signInBySim(sim.url, { identifier: "me@example.com" });
    expect(sim.state.sessions.has(sid)).toBe(true);
    await control("config", { signInPhoneApproveMs: 600_000, signInPassword: "other" });
    await expect(signInBySim(sim.url)).rejects.toThrow(/password/);
    const second = await signInBySim(sim.url, { password: "other" });
    expect(sim.state.sessions.has(second)).toBe(true);
    const res = await fetch(chat(), { headers: { cookie: `SID=${second}` }, redirect: "manual" });
    expect(res.status).toBe(200);
  });
});
