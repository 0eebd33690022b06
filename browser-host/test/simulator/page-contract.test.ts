import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import {
  POLL,
  RUN,
  TEXTAREA,
  WAIT,
  clickSwitch,
  fillPrompt,
  modelTurns,
  openChat,
  requests,
  runAndWait,
  scenario,
  setNumber,
  type Ui,
} from "./page-helpers.js";

/*
 * The simulator's page in real Chromium, for both UI generations: the DOM hooks of facts §1.2
 * that a driver uses are where the real site has them, and what is set through the UI is what
 * the page sends in GenerateContent.
 */

describe.each(["2026", "2025"] as const)("simulated AI Studio, UI %s", (ui: Ui) => {
  let sim: Simulator;
  let browser: Browser;
  let page: Page;
  let context: BrowserContext;
  const chat = () => `${sim.url}/prompts/new_chat`;

  beforeAll(async () => {
    sim = await startSimulator({ ui, pace: { paceMs: 5, chunkChars: 40 } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });
  beforeEach(async () => {
    // A fresh context per test: localStorage (the model preference) must not leak between tests.
    context = await browser.createBrowserContext();
    page = await context.newPage();
    await openChat(page, chat());
  });
  afterEach(async () => {
    await context.close();
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
  });

  it("has the hooks a driver anchors to", async () => {
    const present = async (selector: string) => (await page.$(selector)) !== null;
    const hooks = [
      TEXTAREA[ui],
      `footer ms-autosize-textarea[data-value] textarea.textarea`,
      RUN[ui],
      '[data-test-id="model-name"]',
      ui === "2026"
        ? 'button[data-test-clear="outside"][aria-label="New chat"]'
        : 'button[data-test-clear="outside"][aria-label="Clear chat"]',
      'button[aria-label="View more actions"]',
      "ms-right-side-panel ms-run-settings",
      'button[aria-label="Toggle run settings panel"]',
      ui === "2026"
        ? 'ms-slider input.slider-number-input[type="number"][max="2"][aria-valuemax="2"]'
        : '[data-test-id="temperatureSliderContainer"] input[type="number"].slider-input[max="2"]',
      ui === "2026"
        ? 'ms-slider input[type="number"][max="1"]'
        : '[data-test-id="topPSliderContainer"] input[type="number"][max="1"]',
      'input[aria-label="Maximum output tokens"]',
      'input[aria-label="Add stop token"]',
      "ms-token-count .token-count-container",
      'mat-select[aria-label="Thinking Level"][role="combobox"]',
      '[data-test-id="structuredOutputTooltip"] mat-slide-toggle > div.mdc-form-field > button[role="switch"][aria-label="Structured output"]',
      '[data-test-id="codeExecutionTooltip"] button[role="switch"][aria-label="Code execution"]',
      '[data-test-id="functionCallingTooltip"] mat-slide-toggle button[role="switch"][aria-label="Function calling"]',
      'button.edit-function-declarations-button[aria-label="Edit function declarations"][aria-disabled="true"]',
      'div[data-test-id="searchAsAToolTooltip"] mat-slide-toggle button[aria-label="Grounding with Google Search"]',
      'button[role="switch"][aria-label="Browse the url context"]',
      ui === "2026"
        ? "button[data-test-system-instructions-card]"
        : 'button[aria-label="System instructions"][data-test-si]',
      ui === "2026"
        ? "button.model-selector-card[data-test-model-selector-card]"
        : "ms-model-selector-v3 > button",
      "ms-settings-menu",
      ".chat-view-container.zero-state ms-zero-state",
    ];
    for (const hook of hooks) expect(await present(hook), hook).toBe(true);
    expect(await page.$eval('[data-test-id="model-name"]', (el) => el.textContent)).toBe(
      "gemini-3-flash-preview",
    );
    expect(
      await page.$eval(
        RUN[ui],
        (el) => el.hasAttribute("disabled") && el.getAttribute("aria-disabled") === "true",
      ),
    ).toBe(true);
    const search = await page.$eval('button[aria-label="Grounding with Google Search"]', (el) => [
      el.getAttribute("aria-checked"),
      el.className,
    ]);
    expect(search).toEqual(["true", "mdc-switch mdc-switch--selected"]);
    expect(await page.$eval(RUN[ui], (el) => el.getAttribute("type"))).toBe("submit");
  });

  it("counts the prompt only after an input event, as Angular does", async () => {
    await page.$eval(
      TEXTAREA[ui],
      (el) => ((el as HTMLTextAreaElement).value = "typed without events"),
    );
    expect(await page.$eval(RUN[ui], (el) => el.hasAttribute("disabled"))).toBe(true);
    await fillPrompt(page, ui, "now with an input event");
    expect(await page.$eval(RUN[ui], (el) => el.hasAttribute("disabled"))).toBe(false);
    expect(
      await page.$eval("footer ms-autosize-textarea", (el) => el.getAttribute("data-value")),
    ).toBe("now with an input event");
  });

  it("sends what the run settings say: model, temperature, top-P, max tokens, stop, thinking budget, system instructions, functions, schema, tools", async () => {
    // Model through the picker.
    await page.click(
      ui === "2026" ? "button[data-test-model-selector-card]" : "ms-model-selector-v3 > button",
    );
    await page.waitForSelector('[data-model-id="models/gemini-2.5-flash"]', WAIT);
    await page.click('[data-model-id="models/gemini-2.5-flash"]');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-test-id="model-name"]')?.textContent === "gemini-2.5-flash",
      POLL,
    );

    const temperature =
      ui === "2026"
        ? 'ms-slider input[type="number"][max="2"]'
        : '[data-test-id="temperatureSliderContainer"] input[type="number"]';
    const topP =
      ui === "2026"
        ? 'ms-slider input[type="number"][max="1"]'
        : '[data-test-id="topPSliderContainer"] input[type="number"]';
    await setNumber(page, temperature, 0.35);
    await setNumber(page, topP, 0.5);
    await setNumber(page, 'input[aria-label="Maximum output tokens"]', 1000);
    for (const stop of ["END", "###"]) {
      await page.type('input[aria-label="Add stop token"]', stop);
      await page.keyboard.press("Enter");
    }
    await page.waitForSelector('mat-chip button[aria-label="Remove ###"]', WAIT);

    // Thinking: a budget model; switch to a manual budget of 1024.
    expect(
      await page.$eval(
        'mat-slide-toggle[data-test-toggle="enable-thinking"] button[role="switch"]',
        (el) => el.getAttribute("aria-checked"),
      ),
    ).toBe("true");
    await clickSwitch(page, "Toggle thinking budget between auto and manual");
    await page.waitForSelector(
      '[data-test-id="user-setting-budget-animation-wrapper"] input[type="number"]',
      WAIT,
    );
    await setNumber(
      page,
      '[data-test-id="user-setting-budget-animation-wrapper"] input[type="number"]',
      1024,
    );

    // System instructions.
    await page.click(
      ui === "2026"
        ? "button[data-test-system-instructions-card]"
        : 'button[aria-label="System instructions"][data-test-si]',
    );
    await page.waitForSelector('textarea[aria-label="System instructions"]', WAIT);
    await page.type('textarea[aria-label="System instructions"]', "Answer like a pirate.");
    if (ui === "2026") await page.click("button[data-test-close-button]");

    // Function declarations through the dialog.
    await clickSwitch(page, "Function calling");
    await page.click('button[aria-label="Edit function declarations"]');
    await page.waitForSelector("ms-text-editor textarea", WAIT);
    const declarations = [
      {
        name: "get_weather",
        description: "Weather for a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
      },
    ];
    await page.$eval(
      "ms-text-editor textarea",
      (el, v) => ((el as HTMLTextAreaElement).value = v),
      JSON.stringify(declarations),
    );
    await page.click('button[aria-label="Save the current function declarations"]');
    await page.waitForFunction(() => !document.querySelector("ms-text-editor"), POLL);

    // Structured output with a schema.
    await clickSwitch(page, "Structured output");
    await page.click("button.edit-schema-button");
    await page.waitForSelector("ms-text-editor textarea", WAIT);
    const schema = {
      type: "object",
      properties: { mood: { type: "string", enum: ["calm", "stormy"] } },
    };
    await page.$eval(
      "ms-text-editor textarea",
      (el, v) => ((el as HTMLTextAreaElement).value = v),
      JSON.stringify(schema),
    );
    await page.click('button[aria-label="Save the current schema"]');
    await page.waitForFunction(() => !document.querySelector("ms-text-editor"), POLL);

    await clickSwitch(page, "Grounding with Google Search");
    await clickSwitch(page, "Code execution");

    await fillPrompt(page, ui, "Use get_weather for Paris, please.");
    await runAndWait(page, ui);

    const [recorded] = await requests(sim.url);
    expect(recorded!.request).toMatchObject({
      model: "gemini-2.5-flash",
      contents: [{ role: "user", text: "Use get_weather for Paris, please." }],
      systemInstruction: "Answer like a pirate.",
      temperature: 0.35,
      topP: 0.5,
      maxOutputTokens: 1000,
      stopSequences: ["END", "###"],
      thinking: { includeThoughts: true, budget: 1024, level: null },
      responseMimeType: "application/json",
      responseSchema: {
        type: "object",
        properties: { mood: { type: "string", enum: ["calm", "stormy"] } },
      },
      tools: {
        googleSearch: true,
        codeExecution: true,
        urlContext: false,
        functions: [
          {
            name: "get_weather",
            description: "Weather for a city",
            parameters: {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
            },
          },
        ],
      },
    });
    expect(recorded!.request.timeZone).toEqual(expect.any(String));
    expect(recorded!.request.token.startsWith("!")).toBe(true);
    // The prompt named a declared function, so the answer is a call, rendered as the real page does.
    expect(recorded!.answer!.functionCalls.map((c) => c.name)).toEqual(["get_weather"]);
    expect(
      await page.$eval('ms-function-call-chunk ms-code-block[icon="function"] pre code', (el) =>
        JSON.parse(el.textContent!),
      ),
    ).toEqual({ city: "Paris" });
  });

  it("sends a thinking level for Gemini 3 and no budget", async () => {
    await page.click('mat-select[aria-label="Thinking Level"]');
    await page.waitForSelector(
      '[role="listbox"] mat-option[role="option"][data-level="low"]',
      WAIT,
    );
    const options = await page.$$eval('[role="listbox"] [role="option"]', (els) =>
      els.map((e) => e.textContent),
    );
    expect(options).toEqual(["Minimal", "Low", "Medium", "High"]);
    await page.click('[role="listbox"] mat-option[data-level="low"]');
    await fillPrompt(page, ui, "Think a little.");
    await runAndWait(page, ui);
    const [recorded] = await requests(sim.url);
    expect(recorded!.request.thinking).toEqual({
      includeThoughts: true,
      budget: null,
      level: "low",
    });
    expect(
      await page.$(
        ui === "2026"
          ? "ms-thought-chunk .mat-expansion-panel-body"
          : "ms-thought-accordion .mat-expansion-panel-body",
      ),
    ).not.toBeNull();
  });

  it("turns Run into Stop while generating; Stop ends the request and keeps what arrived", async () => {
    await scenario(sim.url, { scenario: "slow", paceMs: 150, chunkChars: 4 });
    await fillPrompt(page, ui, "Take your time.");
    await page.click(RUN[ui]);
    // The default model thinks first: its thoughts stream for some seconds before the first text.
    await page.waitForSelector(".chat-turn-container.model ms-text-chunk", WAIT);
    if (ui === "2026") expect(await page.$eval(RUN[ui], (el) => el.textContent)).toContain("Stop");
    else
      expect(
        await page.$eval(
          RUN[ui],
          (el) =>
            el.classList.contains("stoppable") &&
            el.querySelector("svg.stoppable-spinner") !== null,
        ),
      ).toBe(true);
    await page.click(RUN[ui]);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes("Run"),
      POLL,
      RUN[ui],
    );
    const partial = await page.$eval(
      ".chat-turn-container.model ms-cmark-node",
      (el) => el.textContent!,
    );
    const full = (await requests(sim.url))[0]!.answer!.text;
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(full.length);
  });

  it("shows quota, permission and internal errors where the real page does", async () => {
    await scenario(sim.url, { scenario: "quota" });
    await fillPrompt(page, ui, "one");
    await runAndWait(page, ui);
    expect(await page.$eval("ms-callout.error-callout .message", (el) => el.textContent)).toContain(
      "user has exceeded quota",
    );

    await scenario(sim.url, { scenario: "permission_denied" });
    await fillPrompt(page, ui, "two");
    await runAndWait(page, ui);
    expect(await page.$eval("div.toast.error", (el) => el.textContent)).toBe(
      "Failed to generate content: permission denied. Please try again.",
    );
    expect(
      await page.$$eval('[data-turn-role="Model"] .model-error', (els) => els.at(-1)!.textContent),
    ).toContain("An internal error has occurred.");

    await scenario(sim.url, { scenario: "internal_error" });
    await fillPrompt(page, ui, "three");
    await runAndWait(page, ui);
    expect(
      await page.$$eval(
        ".chat-turn-container.model",
        (els) => els.at(-1)!.querySelector(".model-error")?.textContent,
      ),
    ).toContain("An internal error has occurred.");
  });

  it("sends a signed-out page to sign-in on another path, and keeps it there", async () => {
    await scenario(sim.url, { scenario: "signin_redirect" });
    await fillPrompt(page, ui, "Are we still logged in?");
    await page.click(RUN[ui]);
    await page.waitForFunction(() => location.pathname === "/v3/signin/identifier", POLL);
    expect(await page.title()).toContain("Sign in");
    expect(await page.$("input#identifierId")).not.toBeNull();
    await page.goto(chat());
    expect(new URL(page.url()).pathname).toBe("/v3/signin/identifier");
  });

  it("starts a new chat through the discard dialog and toggles temporary chat in the menu", async () => {
    const newChat =
      ui === "2026" ? 'button[aria-label="New chat"]' : 'button[aria-label="Clear chat"]';
    expect(await page.$eval(newChat, (el) => el.hasAttribute("disabled"))).toBe(true);
    await fillPrompt(page, ui, "first");
    await runAndWait(page, ui);
    await page.click(newChat);
    const confirm = ui === "2026" ? "Discard and continue" : "Continue";
    await page.waitForSelector("mat-mdc-dialog-container button.ms-button-primary", WAIT);
    expect(
      await page.$eval("mat-mdc-dialog-container button.ms-button-primary", (el) => el.textContent),
    ).toBe(confirm);
    await page.click("mat-mdc-dialog-container button.ms-button-primary");
    await page.waitForFunction(() => document.querySelectorAll("ms-chat-turn").length === 0, POLL);

    const toggle =
      ui === "2026"
        ? 'button[aria-label="Toggle temporary chat"]'
        : 'button[aria-label="Temporary chat toggle"]';
    await page.click('button[aria-label="View more actions"]');
    await page.waitForSelector(toggle, WAIT);
    await page.click(toggle);
    await page.waitForSelector('ms-incognito-mode-indicator [data-test-id="main-text"]', WAIT);
    await page.click('button[aria-label="View more actions"]');
    await page.waitForSelector(`${toggle}.ms-button-active [data-test-incognito-checkmark]`, WAIT);
  });

  it("selects the model from localStorage.aiStudioUserPreference on reload, and from ?model=", async () => {
    await page.evaluate(() =>
      localStorage.setItem(
        "aiStudioUserPreference",
        JSON.stringify({ promptModel: "models/gemini-2.5-pro" }),
      ),
    );
    await openChat(page, chat());
    expect(await page.$eval('[data-test-id="model-name"]', (el) => el.textContent)).toBe(
      "gemini-2.5-pro",
    );
    // 2.5 Pro cannot turn thinking off: its switch is there but disabled.
    expect(
      await page.$eval('button[aria-label="Toggle thinking mode"]', (el) =>
        el.hasAttribute("disabled"),
      ),
    ).toBe(true);
    await openChat(page, `${chat()}?model=gemini-2.0-flash`);
    expect(await page.$eval('[data-test-id="model-name"]', (el) => el.textContent)).toBe(
      "gemini-2.0-flash",
    );
    expect(
      await page.$(
        'button[aria-label="Toggle thinking mode"], mat-select[aria-label="Thinking Level"]',
      ),
    ).toBeNull();
    expect(
      await page.evaluate(
        () => JSON.parse(localStorage.getItem("aiStudioUserPreference")!).promptModel,
      ),
    ).toBe("models/gemini-2.0-flash");
  });

  it("virtualises older turns, so the DOM is no place to read answers from", async () => {
    for (const text of ["one", "two"]) {
      await fillPrompt(page, ui, text);
      await runAndWait(page, ui);
    }
    const contents = await page.$$eval("ms-chat-turn .turn-content", (els) =>
      els.map((e) => e.innerHTML),
    );
    expect(contents).toHaveLength(4);
    expect(contents[0]).toBe('<div style="height: 204px"></div>');
    expect(contents[3]).toContain("ms-cmark-node");
    expect(await modelTurns(page)).toBe(2);
    // The second request carried the first exchange as history.
    const second = (await requests(sim.url))[1]!;
    expect(second.request.contents.map((t) => t.role)).toEqual(["user", "model", "user"]);
  });

  it("makes CountTokens, the per-user-quota helper and GenerateContent on Run, and only GenerateContent is the answer", async () => {
    const seen: Array<{ url: string; status: number }> = [];
    page.on("response", (r) => {
      if (r.url().includes("MakerSuiteService/"))
        seen.push({ url: r.url().split("/").pop()!, status: r.status() });
    });
    await fillPrompt(page, ui, "Which calls?");
    await runAndWait(page, ui);
    const names = seen.map((s) => s.url);
    expect(names).toEqual(
      expect.arrayContaining([
        "CountTokens",
        "StreamGenerateContentPerUserQuota",
        "GenerateContent",
      ]),
    );
    // A naive filter on "GenerateContent" would also catch the quota helper, which answers 404.
    expect(
      seen
        .filter((s) => s.url.includes("GenerateContent"))
        .map((s) => [s.url, s.status])
        .sort(),
    ).toEqual([
      ["GenerateContent", 200],
      ["StreamGenerateContentPerUserQuota", 404],
    ]);
  });
});
