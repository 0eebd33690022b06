import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../browser-host/test/chromium.js";
import { ROOT } from "../scripts/wrangler.js";
import { startDemo, until, type Demo } from "./helpers.js";

/*
 * The operator console in a real browser against the demo's own processes, started as
 * `npm run demo -- --signed-out` starts them: the host comes up signed out, the operator signs it
 * in through the streamed screen, then manages keys, reads usage and looks at a failed job's
 * snapshot. Each page's screenshot goes to .artifacts/console-*.png for a person to look at.
 */

const ARTIFACTS = join(ROOT, ".artifacts");
const VIEWPORT = { width: 1280, height: 800 };
const PASSWORD = "demo-password";
const IDENTIFIER = "operator@example.com";

let demo: Demo;
let state: Demo["state"];
let origin: string;
let browser: Browser;
let page: Page;

const shot = async (name: string) => {
  await page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });
};
const text = (selector: string) =>
  page.$eval(selector, (el) => (el as HTMLElement).innerText).catch(() => "");
const go = async (path: string) => {
  await page.goto(`${origin}${path}`, { waitUntil: "domcontentloaded" });
};
const hostState = async () =>
  (
    (await (await fetch(`${origin}/health`)).json()) as {
      hosts: Array<{ id: string; state: string; lanes: number }>;
    }
  ).hosts.find((h) => h.id === "demo-host");

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  demo = await startDemo(["--lanes", "1", "--signed-out"]);
  state = demo.state;
  origin = state.baseUrl.replace(/\/v1$/, "");
  // The tests' own launcher: every page is on loopback and nothing else may be reached.
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setViewport({ width: 1500, height: 1100 });
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await demo?.stop();
}, 60_000);

/** Where an element's centre is on a simulator page at the sign-in viewport, found in a side page. */
async function centreOf(url: string, selector: string): Promise<{ x: number; y: number }> {
  const side = await browser.newPage();
  try {
    await side.setViewport(VIEWPORT);
    await side.goto(url, { waitUntil: "domcontentloaded" });
    await side.waitForSelector(selector);
    return await side.$eval(selector, (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
  } finally {
    await side.close();
  }
}

/** Clicks the streamed screen at a point of the host's viewport. */
async function clickScreen(at: { x: number; y: number }): Promise<void> {
  const box = (await (await page.$("#signin-screen"))!.boundingBox())!;
  await page.mouse.click(
    box.x + (at.x * box.width) / VIEWPORT.width,
    box.y + (at.y * box.height) / VIEWPORT.height,
  );
}

/** The streamed screen has drawn something other than one flat colour. */
const screenDrawn = () =>
  page.$eval("#signin-screen", (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < data.length; i += 4 * 97)
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
    return false;
  });

describe("the operator console, in a browser, against the demo", () => {
  it("refuses the wrong admin token and sets no session", async () => {
    await go("/console");
    expect(new URL(page.url()).pathname).toBe("/console/login");
    await page.type("#token", "not-the-admin-token");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    expect(await text("[role=alert]")).toMatch(/wrong admin token/i);
    expect(await page.cookies()).toEqual([]);
    await shot("login-refused");
  });

  it("signs in with the right token and shows the demo host, signed out", async () => {
    await go("/console/login");
    await page.type("#token", state.adminToken);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    expect(new URL(page.url()).pathname).toBe("/console");
    const [cookie] = await page.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    // The token is nowhere in what the browser keeps.
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(state.adminToken);
    expect((await hostState())?.state).toBe("auth_expired");
    await page.waitForFunction(() =>
      document.querySelector("#hosts-body")?.textContent?.includes("demo-host"),
    );
    expect(await text("#hosts-body")).toContain("auth_expired");
    expect(await text("#banners")).toMatch(/demo-host.*signed out/i);
    await shot("overview-signed-out");
  });

  it("signs the host in through the streamed screen; the host turns ready and answers", async () => {
    await Promise.all([
      page.waitForNavigation(),
      page.click(`#banners a[href$="/hosts/demo-host/signin"]`),
    ]);
    await until(async () => /live/i.test(await text("#signin-status")), "the live screen", 30_000);
    await until(screenDrawn, "a frame drawn on the canvas", 15_000);
    expect(await text("#signin-location")).toContain("/v3/signin/identifier");

    const signIn = `${state.simulatorUrl}/v3/signin/identifier?continue=%2Fprompts%2Fnew_chat`;
    await clickScreen(await centreOf(signIn, "#identifierId"));
    await page.keyboard.type(IDENTIFIER, { delay: 20 });
    await shot("signin-identifier");
    await page.keyboard.press("Enter");
    await until(
      async () => (await text("#signin-location")).includes("/v3/signin/challenge/pwd"),
      "the password page",
      20_000,
    );

    // The password field's place on a password page of the simulator's own (another flow).
    const side = await browser.newPage();
    let passwordAt: { x: number; y: number };
    try {
      await side.setViewport(VIEWPORT);
      await side.goto(signIn);
      await side.type("#identifierId", "layout@example.com");
      await Promise.all([side.waitForNavigation(), side.keyboard.press("Enter")]);
      passwordAt = await side.$eval("input[name=Passwd]", (el) => {
        const r = el.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      });
    } finally {
      await side.close();
    }
    // The page keeps the field disabled for a moment after it loads, as Google's does, and what
    // is typed into a disabled field is lost: type until the page moves past the password.
    const pastPassword = async () =>
      !(await text("#signin-location")).includes("/challenge/pwd") ||
      /signed in/i.test(await text("#signin-status"));
    await until(
      async () => {
        await clickScreen(passwordAt);
        await page.keyboard.type(PASSWORD, { delay: 20 });
        await page.keyboard.press("Enter");
        return until(pastPassword, "the page past the password", 3_000).then(
          () => true,
          () => false,
        );
      },
      "the password to be taken",
      60_000,
    );
    await shot("signin-phone");
    await until(
      async () => /signed in/i.test(await text("#signin-status")),
      "the console to report the sign-in",
      60_000,
    );
    await shot("signin-done");
    await until(async () => (await hostState())?.state === "ready", "the host to be ready", 60_000);
    expect((await hostState())?.lanes).toBe(1);

    const client = new OpenAI({ apiKey: state.apiKey, baseURL: state.baseUrl, maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "Hello after the remote sign-in" }],
    });
    expect(answer.choices[0]!.message.content).toBeTruthy();

    const saved = join(demo.dir, "auth_profiles", "saved");
    const meta = JSON.parse(readFileSync(join(saved, "demo-host.meta.json"), "utf8"));
    expect(meta).toMatchObject({ country: "US", source: "remote-signin" });
    expect((statSync(join(saved, "demo-host.json")).mode & 0o777).toString(8)).toBe("600");
    // Nothing the operator typed reached a log line of the demo's processes.
    const logLines = demo.output.split("\n").filter((line) => line.startsWith("{"));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(PASSWORD) || l.includes(IDENTIFIER))).toEqual([]);

    await go("/console");
    await page.waitForFunction(() =>
      document.querySelector("#hosts-body")?.textContent?.includes("ready"),
    );
    const row = await text("#hosts-body");
    // The host's egress country, and no stale detail from its time signed out.
    expect(row).toContain("US");
    expect(row).not.toMatch(/signed out|loading the profile|Google sign-in/i);
    await shot("overview-ready");
  });

  it("creates a key, whose use shows in usage with the simulator's token counts; revoked, it is refused", async () => {
    await go("/console/keys");
    await page.type("input[name=name]", "console-key");
    await Promise.all([
      page.waitForNavigation(),
      page.click("form[action='/console/keys'] button[type=submit]"),
    ]);
    const key = await text("#new-key");
    expect(key).toMatch(/^sk-[A-Za-z0-9]{48}$/);
    expect(page.url()).not.toContain(key);
    await shot("key-created");

    const client = new OpenAI({ apiKey: key, baseURL: state.baseUrl, maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "Count my tokens" }],
    });
    const usage = answer.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);

    await until(
      async () => {
        await go("/console/usage");
        return (await text("main")).includes("console-key");
      },
      "the key's usage row",
      20_000,
    );
    const row = await page.$$eval(
      "table tbody tr",
      (rows) =>
        rows.map((r) => (r as HTMLElement).innerText).find((t) => t.includes("console-key")) ?? "",
    );
    const numbers = (s: string) => s.replace(/,/g, "").match(/\d+/g)!.map(Number);
    expect(numbers(row)).toEqual(
      expect.arrayContaining([usage.prompt_tokens, usage.completion_tokens]),
    );
    await shot("usage");

    await go("/console/keys");
    await shot("keys");
    page.once("dialog", (dialog) => void dialog.accept());
    const revoke = await page.$$("form[action$='/revoke']");
    const forms = await Promise.all(
      revoke.map((f) =>
        f.evaluate((el) => (el.closest("tr") as HTMLElement | null)?.innerText ?? ""),
      ),
    );
    const index = forms.findIndex((t) => t.includes("console-key"));
    expect(index).toBeGreaterThanOrEqual(0);
    await Promise.all([
      page.waitForNavigation(),
      revoke[index]!.$eval("button", (b) => (b as HTMLButtonElement).click()),
    ]);
    await until(
      async () =>
        client.chat.completions
          .create({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "again" }] })
          .then(
            () => false,
            (err: unknown) => err instanceof OpenAI.AuthenticationError,
          ),
      "a 401 for the revoked key",
      20_000,
    );
  });

  it("shows a failed job's snapshot screenshot, fetched from the host", async () => {
    const client = new OpenAI({ apiKey: state.apiKey, baseURL: state.baseUrl, maxRetries: 0 });
    await expect(
      client.chat.completions.create({
        model: "gemini-2.5-flash",
        messages: [{ role: "user", content: "[[sim:blocked]] please fail" }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);

    await until(
      async () => {
        await go("/console/jobs?failed=1");
        return (await text("main")).includes("upstream_blocked");
      },
      "the failed job in the list",
      20_000,
    );
    await shot("jobs");
    const link = await page.$("table tbody tr a[href^='/console/jobs/']");
    await Promise.all([page.waitForNavigation(), link!.click()]);
    await page.waitForSelector("img[alt='Failure screenshot']", { timeout: 30_000 });
    await page.waitForFunction(
      () =>
        (document.querySelector("img[alt='Failure screenshot']") as HTMLImageElement).naturalWidth >
        0,
    );
    await shot("job-snapshot");
  });
});
