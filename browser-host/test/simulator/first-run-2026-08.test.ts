import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  FIRST_RUN_OVERLAYS,
  firstRunPlan,
  type FirstRunOverlay,
} from "../../simulator/boot-config.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { POLL, configure, openChat, requests, runAndWait } from "./page-helpers.js";
import { S, clickThenHas, domClick, fillAndCount } from "./page-helpers-2026-08.js";

/*
 * The 2026-08 page's first-run overlays (facts §9 "First-run overlays"): which ones a fresh
 * profile gets (all, none, a seeded random subset), that some come late, that they swallow
 * clicks until dismissed from the top down, and that a dismissal survives a reload.
 */

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", ".artifacts");

/** What each overlay looks like on the page: a selector, or a dialog title. */
const FOUND: Record<FirstRunOverlay, string> = {
  cookies: ".glue-cookie-notification-bar",
  welcome: "mat-dialog-container ms-g1-welcome-dialog",
  tos: "mat-dialog-container ms-tos-disclaimer",
  "apps-flow": "mat-dialog-container h2",
  tour: 'ms-guided-tour[role="dialog"]',
};
const APPS_FLOW_TITLE = "An updated flow for using Gemini in your apps";
const TOS_ACCEPT = "mat-dialog-container:has(ms-tos-disclaimer) mat-dialog-actions button";

/** Which overlays are on the page now. */
function shown(page: Page): Promise<FirstRunOverlay[]> {
  return page.evaluate(
    (found, title) =>
      Object.entries(found)
        .filter(([name, sel]) =>
          name === "apps-flow"
            ? [...document.querySelectorAll(sel)].some((h) => h.textContent === title)
            : document.querySelector(sel) !== null,
        )
        .map(([name]) => name as FirstRunOverlay),
    FOUND,
    APPS_FLOW_TITLE,
  );
}

async function waitForOverlays(page: Page, wanted: FirstRunOverlay[]): Promise<void> {
  await page.waitForFunction(
    (found, title, names) =>
      names.every((name) =>
        name === "apps-flow"
          ? [...document.querySelectorAll(found[name]!)].some((h) => h.textContent === title)
          : document.querySelector(found[name]!) !== null,
      ),
    POLL,
    FOUND,
    APPS_FLOW_TITLE,
    wanted,
  );
}

/**
 * Waits, by the page's own clock, until every first-run timer has fired (the latest is 800 ms
 * after ready): the only way to show an overlay is absent rather than not yet there.
 */
async function pastFirstRunDelays(page: Page): Promise<void> {
  const readyAt = await page.evaluate(() => performance.now());
  await page.waitForFunction((t) => performance.now() > t + 1_200, POLL, readyAt);
}

const clickButtonByText = (page: Page, scope: string, label: string) =>
  page.$$eval(
    `${scope} button`,
    (els, l) => (els.find((e) => e.textContent === l) as HTMLElement).click(),
    label,
  );

describe("first-run overlays, UI 2026-08", () => {
  let sim: Simulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const chat = () => `${sim.url}/prompts/new_chat`;
  const prefs = () =>
    page.evaluate(() => JSON.parse(localStorage.getItem("aiStudioUserPreference") ?? "{}"));

  beforeAll(async () => {
    sim = await startSimulator({
      ui: "2026-08",
      firstRun: "all",
      pace: { paceMs: 5, chunkChars: 40 },
    });
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

  it("'all' shows every overlay, some late; they swallow clicks until dismissed from the top down", async () => {
    // When the app said it was ready and when each overlay appeared, by the page's clock.
    await page.evaluateOnNewDocument((found) => {
      const seen: Record<string, number> = {};
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      let ready: unknown;
      Object.defineProperty(window, "default_MakerSuite", {
        get: () => ready,
        set: (v) => ((ready = v), (seen.ready = performance.now())),
      });
      new MutationObserver(() => {
        for (const [name, sel] of Object.entries(found))
          if (seen[name] === undefined && document.querySelector(sel))
            seen[name] = performance.now();
      }).observe(document, { childList: true, subtree: true });
    }, FOUND);
    await openChat(page, chat());
    await waitForOverlays(page, [...FIRST_RUN_OVERLAYS]);
    const seen = await page.evaluate(
      () => (window as unknown as { __seen: Record<string, number> }).__seen,
    );
    expect(seen.tour! - seen.ready!).toBeGreaterThanOrEqual(750);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "simulator-2026-08-first-run.png") });

    // The welcome dialog's primary button comes before its close button.
    expect(
      await page.$eval("ms-g1-welcome-dialog", (d) => {
        const primary = d.querySelector('button.ms-button-primary[aria-label="Try Gemini"]')!;
        const close = d.querySelector('button[aria-label="Close dialog"]')!;
        return Boolean(primary.compareDocumentPosition(close) & Node.DOCUMENT_POSITION_FOLLOWING);
      }),
    ).toBe(true);

    // Typing reaches the page; clicks do not: Run, the model card, a settings group.
    await fillAndCount(page, "Blocked by first-run overlays.");
    expect(await clickThenHas(page, S.run, "ms-chat-turn")).toBe(false);
    expect(await clickThenHas(page, S.modelCard, "mat-dialog-container .model-picker")).toBe(false);
    expect(
      await clickThenHas(
        page,
        ".tools-group p.group-title",
        `${S.toolsButton}[aria-expanded="true"]`,
      ),
    ).toBe(false);
    // Only the topmost overlay (the tour, last to come) takes clicks; the cookie bar's own buttons too.
    expect(
      await clickThenHas(page, 'button[aria-label="Close dialog"]', "ms-g1-welcome-dialog"),
    ).toBe(true);
    await clickButtonByText(page, ".glue-cookie-notification-bar", "Reject all");
    expect(await shown(page)).not.toContain("cookies");

    await clickButtonByText(page, "ms-guided-tour", "Next");
    expect(await page.$eval("ms-guided-tour .tour-count", (el) => el.textContent)).toBe("2 of 3");
    await domClick(page, 'button[aria-label="Close guided tour"]');
    await clickButtonByText(page, "mat-dialog-container", "Got it");
    // The terms need the consent box ticked: Accept is disabled until then.
    expect(await page.$eval(TOS_ACCEPT, (el) => el.hasAttribute("disabled"))).toBe(true);
    expect(await clickThenHas(page, TOS_ACCEPT, "ms-tos-disclaimer")).toBe(true);
    await domClick(page, "ms-tos-disclaimer input[type=checkbox]");
    await domClick(page, TOS_ACCEPT);
    await domClick(page, 'button[aria-label="Close dialog"]');
    expect(await shown(page)).toEqual([]);
    expect(await page.$(".cdk-overlay-backdrop")).toBeNull();

    await runAndWait(page, "2026-08");
    expect(await requests(sim.url)).toHaveLength(1);
    expect(await prefs()).toMatchObject({
      warmWelcomeDisplayed: true,
      hasShownGuidedTour: true,
      hasDismissedCookieBar: true,
      hasAcceptedTermsOfService: true,
      hasShownAppsFlowDialog: true,
    });
    await openChat(page, chat());
    await pastFirstRunDelays(page);
    expect(await shown(page)).toEqual([]);
  });

  it("keeps a dismissal across reloads while the others come back; Try Gemini also switches the model", async () => {
    await openChat(page, chat());
    await waitForOverlays(page, [...FIRST_RUN_OVERLAYS]);
    await clickButtonByText(page, ".glue-cookie-notification-bar", "Accept all");
    await domClick(page, 'button[aria-label="Close guided tour"]');
    await openChat(page, chat());
    await waitForOverlays(page, ["welcome", "tos", "apps-flow"]);
    await pastFirstRunDelays(page);
    expect((await shown(page)).sort()).toEqual(["apps-flow", "tos", "welcome"]);
    expect(await prefs()).toMatchObject({ warmWelcomeDisplayed: false, hasShownGuidedTour: true });

    await clickButtonByText(page, "mat-dialog-container", "Got it");
    await domClick(page, "ms-tos-disclaimer input[type=checkbox]");
    await domClick(page, TOS_ACCEPT);
    await domClick(page, 'ms-g1-welcome-dialog button[aria-label="Try Gemini"]');
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes("gemini-3-pro-preview"),
      POLL,
      S.modelCard,
    );
    expect((await prefs()).promptModel).toBe("models/gemini-3-pro-preview");
    expect(await shown(page)).toEqual([]);
  });

  it("the cookie bar takes the clicks meant for what it covers, the footer's Run, until dismissed", async () => {
    await page.evaluateOnNewDocument(() => {
      if (!localStorage.getItem("aiStudioUserPreference"))
        localStorage.setItem(
          "aiStudioUserPreference",
          JSON.stringify({
            warmWelcomeDisplayed: true,
            hasShownGuidedTour: true,
            hasAcceptedTermsOfService: true,
            hasShownAppsFlowDialog: true,
            hasDismissedCookieBar: false,
          }),
        );
    });
    await openChat(page, chat());
    await waitForOverlays(page, ["cookies"]);
    await fillAndCount(page, "Under the cookie bar.");
    expect(await clickThenHas(page, S.run, "ms-chat-turn")).toBe(false);
    await clickButtonByText(page, ".glue-cookie-notification-bar", "Reject all");
    expect(await clickThenHas(page, S.run, "ms-chat-turn")).toBe(true);
  });

  it("honours a one-shot flag a driver writes before the first load", async () => {
    await page.evaluateOnNewDocument(() => {
      if (!localStorage.getItem("aiStudioUserPreference"))
        localStorage.setItem(
          "aiStudioUserPreference",
          JSON.stringify({ warmWelcomeDisplayed: true }),
        );
    });
    await openChat(page, chat());
    await waitForOverlays(page, ["cookies", "tos", "apps-flow", "tour"]);
    await pastFirstRunDelays(page);
    expect(await shown(page)).not.toContain("welcome");
  });

  it("'none' shows none", async () => {
    await configure(sim.url, { firstRun: "none" });
    await openChat(page, chat());
    await pastFirstRunDelays(page);
    expect(await shown(page)).toEqual([]);
    expect(await page.$(".cdk-overlay-pane")).toBeNull();
    await fillAndCount(page, "Nothing in the way.");
    await runAndWait(page, "2026-08");
  });

  it("'random' with a seed gives every fresh profile the same non-empty subset", async () => {
    const seed = 7;
    await configure(sim.url, { firstRun: "random", firstRunSeed: seed });
    const expected = firstRunPlan("random", seed)
      .map((p) => p.overlay)
      .sort();
    for (let profile = 0; profile < 2; profile++) {
      const fresh = await browser.createBrowserContext();
      try {
        const p = await fresh.newPage();
        await openChat(p, chat());
        await waitForOverlays(p, expected);
        await pastFirstRunDelays(p);
        expect((await shown(p)).sort(), `profile ${profile}`).toEqual(expected);
      } finally {
        await fresh.close();
      }
    }
  });
});

describe("the first-run plan", () => {
  it("is every overlay for 'all', none for 'none', and a stable non-empty subset for a seed", () => {
    expect(firstRunPlan("all", null).map((p) => p.overlay)).toEqual([...FIRST_RUN_OVERLAYS]);
    expect(firstRunPlan("none", 3)).toEqual([]);
    const subsets = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const plan = firstRunPlan("random", seed);
      expect(plan.length).toBeGreaterThan(0);
      expect(firstRunPlan("random", seed)).toEqual(plan);
      for (const item of plan) expect(item.delayMs).toBeLessThanOrEqual(800);
      subsets.add(plan.map((p) => p.overlay).join(","));
    }
    // Random enough to cover many subsets, and some overlays come late.
    expect(subsets.size).toBeGreaterThan(15);
    expect(firstRunPlan("random", null, () => 0.1).length).toBe(FIRST_RUN_OVERLAYS.length);
  });
});
