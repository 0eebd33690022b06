import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import {
  POLL,
  WAIT,
  configure,
  fillPrompt,
  openChat,
  requests,
  runAndWait,
  scenario,
  setNumber,
} from "./page-helpers.js";
import {
  S,
  clickThenHas,
  domClick,
  fillAndCount,
  flip,
  openGroup,
  saveEditor,
  switchOf,
  waitForDialog,
} from "./page-helpers-2026-08.js";

/*
 * The simulator's 2026-08 page (facts §9) in real Chromium, driven with raw puppeteer the way a
 * driver clicks (through the DOM): the hooks are where §9 puts them and absent where it says,
 * the page is as hard as the real one (collapsed groups, tool conflicts, overlays that swallow
 * clicks, Run ignored while counting, a refused synthetic Ctrl+Enter, strict editors), and what
 * is set through the UI is what GenerateContent sends. First-run overlays: first-run-2026-08.
 */

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", ".artifacts");

describe("simulated AI Studio, UI 2026-08", () => {
  let sim: Simulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const chat = () => `${sim.url}/prompts/new_chat`;
  const text = (selector: string) => page.$eval(selector, (el) => el.textContent);
  const has = async (selector: string) => (await page.$(selector)) !== null;

  beforeAll(async () => {
    sim = await startSimulator({
      ui: "2026-08",
      firstRun: "none",
      pace: { paceMs: 5, chunkChars: 40 },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });
  beforeEach(async () => {
    // A fresh context per test: a fresh profile, as localStorage holds the page's preferences.
    context = await browser.createBrowserContext();
    page = await context.newPage();
    await openChat(page, chat());
  });
  afterEach(async () => {
    await context.close();
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
  });

  it("has the 2026-08 hooks where §9 puts them, and not the older ones", async () => {
    for (const hook of [
      S.textarea,
      'footer ms-prompt-box textarea[aria-label="Enter a prompt"][placeholder="Start typing a prompt"]',
      S.run,
      S.modelCard,
      S.siCard,
      S.newChat,
      S.moreActions,
      S.tokenCount,
      'ms-add-media-button button[data-test="selectMediaMenu"]',
      `${S.temperature}[type="text"][role="spinbutton"][aria-label="Temperature"]`,
      'ms-thinking-level-setting mat-select[aria-label="Thinking Level"]',
      `div.settings-item > p.group-title + ${S.toolsButton}[aria-expanded="false"]`,
      `div.settings-item > p.group-title + ${S.advancedButton}[aria-expanded="false"]`,
    ])
      expect(await has(hook), hook).toBe(true);
    for (const gone of [
      '[data-test-id="model-name"]',
      'input[type="number"][aria-label="Temperature"]',
      "ms-slider input[type='number']",
      ".token-count-container",
      "ms-incognito-mode-indicator",
      // Collapsed groups: their controls are not in the DOM.
      switchOf("Function calling"),
      switchOf("Grounding with Google Search"),
      '[data-test-id="structuredOutputTooltip"]',
      S.topP,
      S.maxTokens,
      "ms-stop-sequence-input",
    ])
      expect(await has(gone), gone).toBe(false);
    // The card shows the model's display name and id as text.
    expect(await text(S.modelCard)).toBe("Gemini 3 Flash Previewgemini-3-flash-preview");
    // A bare aria-label lookup finds the slider's range input first, as on Material's page.
    expect(
      await page.$eval('input[aria-label="Temperature"]', (el) => (el as HTMLInputElement).type),
    ).toBe("range");
    expect(await text(S.tokenCount)).toBe("0");

    await openGroup(page, S.toolsButton);
    await openGroup(page, S.advancedButton);
    for (const hook of [
      `[data-test-id="structuredOutputTooltip"] mat-slide-toggle ${switchOf("Structured outputs")}`,
      '[data-test-id="structuredOutputTooltip"] button.edit-schema-button[aria-label="Edit JSON schema"]',
      `[data-test-id="codeExecutionTooltip"] ${switchOf("Code execution")}`,
      `[data-test-id="functionCallingTooltip"] mat-slide-toggle ${switchOf("Function calling")}`,
      'button.edit-function-declarations-button[aria-label="Edit function declarations"][aria-disabled="true"]',
      `div[data-test-id="searchAsAToolTooltip"] mat-slide-toggle ${switchOf("Grounding with Google Search")}[aria-checked="true"]`,
      `[data-test-id="browseAsAToolTooltip"] ${switchOf("Browse the url context")}`,
      `${S.topP}[type="text"][role="spinbutton"][aria-label="Top P"]`,
      `${S.maxTokens}[inputmode="numeric"][type="text"]`,
      `${S.stopInput}[aria-label="Add stop sequence"][placeholder="Add stop token"]`,
    ])
      expect(await has(hook), hook).toBe(true);
    for (const gone of [
      switchOf("Structured output"),
      'input[aria-label="Add stop token"]',
      "mat-chip",
    ])
      expect(await has(gone), gone).toBe(false);
  });

  it("opens the groups by their header (title, row or button) and from aiStudioUserPreference", async () => {
    const expanded = () => page.$eval(S.toolsButton, (el) => el.getAttribute("aria-expanded"));
    const prefs = () =>
      page.evaluate(() => JSON.parse(localStorage.getItem("aiStudioUserPreference") ?? "{}"));
    await domClick(page, ".tools-group p.group-title");
    expect(await expanded()).toBe("true");
    expect(await has(switchOf("Code execution"))).toBe(true);
    expect((await prefs()).areToolsOpen).toBe(true);
    await domClick(page, ".tools-group div.settings-item.group-header");
    expect(await expanded()).toBe("false");
    expect(await has(switchOf("Code execution"))).toBe(false);
    await domClick(page, S.toolsButton);
    expect(await expanded()).toBe("true");
    expect((await prefs()).isAdvancedOpen).toBeUndefined();

    await page.evaluate(() =>
      localStorage.setItem(
        "aiStudioUserPreference",
        JSON.stringify({ areToolsOpen: false, isAdvancedOpen: true }),
      ),
    );
    await openChat(page, chat());
    expect(await has(S.maxTokens)).toBe(true);
    expect(await has(switchOf("Code execution"))).toBe(false);
  });

  it("disables function calling and structured outputs beside active tools, and the tools beside them", async () => {
    await openGroup(page, S.toolsButton);
    const state = (label: string) =>
      page.$eval(switchOf(label), (el) => ({
        checked: el.getAttribute("aria-checked"),
        disabled: el.hasAttribute("disabled") && el.classList.contains("mdc-switch--disabled"),
      }));
    // Gemini 3 Flash starts with Google Search on, so function calling is unavailable.
    expect(await state("Grounding with Google Search")).toEqual({
      checked: "true",
      disabled: false,
    });
    expect(await state("Function calling")).toEqual({ checked: "false", disabled: true });
    expect(await state("Structured outputs")).toEqual({ checked: "false", disabled: true });
    expect(await text('[data-test-id="functionCallingTooltip"]')).toContain(
      "Function calling is not compatible with the current active tools",
    );
    await domClick(page, switchOf("Function calling"));
    expect((await state("Function calling")).checked).toBe("false");

    await flip(page, "Grounding with Google Search");
    expect(await state("Function calling")).toEqual({ checked: "false", disabled: false });
    await flip(page, "Code execution");
    expect((await state("Function calling")).disabled).toBe(true);
    await flip(page, "Code execution");
    await flip(page, "Browse the url context");
    expect((await state("Structured outputs")).disabled).toBe(true);
    await flip(page, "Browse the url context");

    await flip(page, "Function calling");
    for (const tool of ["Grounding with Google Search", "Browse the url context", "Code execution"])
      expect(await state(tool), tool).toEqual({ checked: "false", disabled: true });
    await domClick(page, switchOf("Grounding with Google Search"));
    expect((await state("Grounding with Google Search")).checked).toBe("false");
    // Structured outputs and function calling go together.
    await flip(page, "Structured outputs");
    await flip(page, "Function calling");
    expect((await state("Code execution")).disabled).toBe(true);
  });

  it("keeps the more-actions menu open after toggling temporary chat, swallowing clicks until Escape", async () => {
    await fillAndCount(page, "Do not send this while the menu is open.");
    await domClick(page, S.moreActions);
    await page.waitForSelector(S.temporaryItem, WAIT);
    await domClick(page, S.temporaryItem);
    await page.waitForSelector(`${S.temporaryItem} [data-test-incognito-checkmark]`, WAIT);
    expect(await has(".mat-mdc-menu-panel")).toBe(true);
    expect(await has("ms-incognito-mode-indicator")).toBe(false);
    expect(
      await page.$eval(S.temporaryItem, (el) => el.classList.contains("ms-button-active")),
    ).toBe(false);
    // Run, the thinking level and the model card: all swallowed while the menu is open.
    expect(await clickThenHas(page, S.run, "ms-chat-turn")).toBe(false);
    expect(
      await clickThenHas(page, 'mat-select[aria-label="Thinking Level"]', '[role="listbox"]'),
    ).toBe(false);
    expect(await clickThenHas(page, S.modelCard, S.dialog)).toBe(false);
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector(".mat-mdc-menu-panel"), POLL);
    // Now a click reaches the page; a backdrop click closes a listbox and does nothing else.
    await domClick(page, 'mat-select[aria-label="Thinking Level"]');
    await page.waitForSelector('[role="listbox"] mat-option', WAIT);
    expect(await clickThenHas(page, S.backdrop, '[role="listbox"]')).toBe(false);
    expect(await has("ms-chat-turn")).toBe(false);
    await runAndWait(page, "2026-08");
    // A dialog swallows clicks too, and its backdrop does not close it.
    await domClick(page, S.siCard);
    await page.waitForSelector("mat-dialog-container ms-system-instructions textarea", WAIT);
    expect(
      await clickThenHas(page, S.newChat, "mat-dialog-container button.ms-button-primary"),
    ).toBe(false);
    expect(await clickThenHas(page, S.backdrop, "ms-system-instructions")).toBe(true);
    await domClick(page, "mat-dialog-container button[data-test-close-button]");
    await domClick(page, S.newChat);
    await waitForDialog(page, "Discard unsaved changes?");
    expect(
      await text("mat-dialog-container.mat-mdc-dialog-container button.ms-button-primary"),
    ).toBe("Discard and continue");
    expect(await has("mat-mdc-dialog-container")).toBe(false);
  });

  it("ignores Run while the prompt is being counted, then runs; counting takes longer for a longer prompt", async () => {
    await configure(sim.url, { tokenCountMsPer1k: 100 });
    const prompt = `Count me. ${"a long prompt ".repeat(1500)}`; // ~20 KB: ~2.3 s to count
    const started = Date.now();
    const counted = page.waitForResponse((r) => r.url().endsWith("/CountTokens"), WAIT);
    await page.$eval(
      S.textarea,
      (el, value) => {
        (el as HTMLTextAreaElement).value = value;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      prompt,
    );
    // Pressed at once: the button looks normal and enabled, and nothing happens.
    expect(
      await page.$eval(
        S.run,
        (el) => !el.hasAttribute("disabled") && el.textContent!.includes("Run"),
      ),
    ).toBe(true);
    expect(await clickThenHas(page, S.run, "ms-chat-turn")).toBe(false);
    await counted;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent !== "0",
      POLL,
      S.tokenCount,
    );
    // The ignored press was not queued: when the count shows, still no turn.
    expect(await has("ms-chat-turn")).toBe(false);
    expect(await requests(sim.url)).toHaveLength(0);
    await runAndWait(page, "2026-08");
    const recorded = await requests(sim.url);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.request.contents[0]!.text).toBe(prompt);
  });

  it("refuses a synthetic Ctrl+Enter with the permission text and sends nothing; a real one runs", async () => {
    await fillAndCount(page, "Send me with the keyboard.");
    await page.$eval(S.textarea, (el) =>
      el.dispatchEvent(
        new KeyboardEvent("keydown", {
          key: "Enter",
          ctrlKey: true,
          bubbles: true,
          cancelable: true,
        }),
      ),
    );
    await page.waitForSelector("mat-snack-bar-container", WAIT);
    expect(await text("mat-snack-bar-container [role=alert]")).toBe(
      "Failed to generate content: permission denied. Please try again.",
    );
    expect(await has("ms-chat-turn")).toBe(false);
    expect(await requests(sim.url)).toHaveLength(0);
    await page.focus(S.textarea);
    await page.keyboard.down("Control");
    await page.keyboard.press("Enter");
    await page.keyboard.up("Control");
    await page.waitForSelector(".chat-turn-container.model .model-run-time-pill", WAIT);
    expect(await requests(sim.url)).toHaveLength(1);
  });

  it("refuses schema keys outside the wire's subset in both editors, and keeps the subset", async () => {
    await openGroup(page, S.toolsButton);
    await flip(page, "Grounding with Google Search");
    await flip(page, "Function calling");
    await domClick(page, 'button[aria-label="Edit function declarations"]');
    const SAVE_FUNCTIONS = "Save the current function declarations";
    const alert = () => text("mat-dialog-container [role=alert]");
    const city = { type: "string", description: "City" };
    const declaration = (parameters: unknown, extra: Record<string, unknown> = {}) => [
      { name: "get_weather", description: "Weather", parameters, ...extra },
    ];
    for (const [value, error] of [
      [
        declaration({
          type: "object",
          properties: { city: { ...city, additionalProperties: false } },
        }),
        'Unknown key "additionalProperties" at parameters.properties.city',
      ],
      [
        declaration({ type: "object", properties: { city }, additionalProperties: false }),
        'Unknown key "additionalProperties" at parameters',
      ],
      [declaration({ type: "object", $defs: { c: city } }), 'Unknown key "$defs" at parameters'],
      [
        declaration({
          type: "object",
          properties: { tags: { type: "array", items: { ...city, title: "T" } } },
        }),
        'Unknown key "title" at parameters.properties.tags.items',
      ],
      [declaration({ type: "object" }, { strict: true }), 'Unknown key "strict" at declaration 1'],
      [declaration({ type: ["string", "null"] }), 'Invalid type ["string","null"] at parameters'],
    ] as const) {
      await saveEditor(page, SAVE_FUNCTIONS, value);
      await page.waitForFunction(
        (want) => document.querySelector("mat-dialog-container [role=alert]")?.textContent === want,
        POLL,
        error,
      );
      expect(await alert()).toBe(error);
      expect(await has("mat-dialog-container ms-text-editor")).toBe(true);
    }
    const good = declaration({
      type: "OBJECT",
      properties: { city, days: { type: "integer", nullable: true, format: "int32" } },
      required: ["city"],
    });
    await saveEditor(page, SAVE_FUNCTIONS, good);
    await page.waitForFunction(() => !document.querySelector("mat-dialog-container"), POLL);

    await flip(page, "Structured outputs");
    await domClick(page, 'button.edit-schema-button[aria-label="Edit JSON schema"]');
    for (const [value, error] of [
      [{ type: "object", title: "Answer" }, 'Unknown key "title" at the top level'],
      [{ $schema: "x", type: "object" }, 'Unknown key "$schema" at the top level'],
      [
        { type: "object", properties: { mood: { anyOf: [{ type: "string" }] } } },
        'Unknown key "anyOf" at properties.mood',
      ],
      [
        { type: "object", properties: { n: { type: "number", default: 1 } } },
        'Unknown key "default" at properties.n',
      ],
    ] as const) {
      await saveEditor(page, "Save the current schema", value);
      await page.waitForFunction(
        (want) => document.querySelector("mat-dialog-container [role=alert]")?.textContent === want,
        POLL,
        error,
      );
    }
    await saveEditor(page, "Save the current schema", {
      type: "object",
      properties: { mood: { type: "string", enum: ["calm", "stormy"] } },
    });
    await page.waitForFunction(() => !document.querySelector("mat-dialog-container"), POLL);
    await fillAndCount(page, "Use get_weather for Paris.");
    await runAndWait(page, "2026-08");
    const [recorded] = await requests(sim.url);
    expect(recorded!.request.tools.functions).toEqual([
      {
        name: "get_weather",
        description: "Weather",
        parameters: {
          type: "object",
          properties: {
            city: { type: "string", description: "City" },
            days: { type: "integer", nullable: true, format: "int32" },
          },
          required: ["city"],
        },
      },
    ]);
    expect(recorded!.request.responseSchema).toEqual({
      type: "object",
      properties: { mood: { type: "string", enum: ["calm", "stormy"] } },
    });
  });

  it("keeps system instructions as named presets in localStorage, across reloads and new chats", async () => {
    const SI =
      "mat-dialog-container ms-system-instructions textarea[aria-label='System instructions']";
    const type = async (value: string) => {
      await page.$eval(
        SI,
        (el, v) => {
          (el as HTMLTextAreaElement).value = v;
          el.dispatchEvent(new Event("input", { bubbles: true }));
        },
        value,
      );
    };
    await domClick(page, S.siCard);
    await page.waitForSelector(SI, WAIT);
    await type("Answer like a pirate.");
    await domClick(page, "mat-dialog-container button[data-test-close-button]");
    const stored = await page.evaluate(() => ({
      presets: JSON.parse(localStorage.getItem("systemInstructionsConfigs")!),
      selected: JSON.parse(localStorage.getItem("aiStudioUserPreference")!)
        .selectedSystemInstructionsConfigName,
    }));
    expect(stored).toEqual({
      presets: [{ name: "System instructions 1", text: "Answer like a pirate." }],
      selected: "System instructions 1",
    });

    // A reload (a fresh chat) starts with the selected preset's text.
    await openChat(page, chat());
    expect(await text(`${S.siCard} .subtitle`)).toBe("System instructions 1");
    await fillAndCount(page, "Hello after a reload.");
    await runAndWait(page, "2026-08");
    await domClick(page, S.newChat);
    await waitForDialog(page, "Discard unsaved changes?");
    await domClick(page, "mat-dialog-container button.ms-button-primary");
    await page.waitForFunction(() => !document.querySelector("ms-chat-turn"), POLL);
    await fillAndCount(page, "Hello in a new chat, with a prompt of quite another length.");
    await runAndWait(page, "2026-08");
    expect((await requests(sim.url)).map((r) => r.request.systemInstruction)).toEqual([
      "Answer like a pirate.",
      "Answer like a pirate.",
    ]);

    // A second preset; the select switches the text between them.
    await domClick(page, S.siCard);
    await page.waitForSelector(SI, WAIT);
    expect(await page.$eval(SI, (el) => (el as HTMLTextAreaElement).value)).toBe(
      "Answer like a pirate.",
    );
    await domClick(page, 'button[aria-label="Create new system instructions"]');
    expect(await page.$eval(SI, (el) => (el as HTMLTextAreaElement).value)).toBe("");
    await type("Be brief.");
    await domClick(page, 'mat-select[aria-label="Select system instructions"]');
    await page.waitForSelector('[role="listbox"] mat-option', WAIT);
    const options = await page.$$eval('[role="listbox"] mat-option', (els) =>
      els.map((e) => e.textContent),
    );
    expect(options).toEqual([
      "System instructions 1",
      "System instructions 2",
      "Create new instruction",
    ]);
    await page.$$eval('[role="listbox"] mat-option', (els) => (els[0] as HTMLElement).click());
    expect(await page.$eval(SI, (el) => (el as HTMLTextAreaElement).value)).toBe(
      "Answer like a pirate.",
    );
    await domClick(page, 'button[aria-label="Delete system instructions"]');
    expect(await page.$eval(SI, (el) => (el as HTMLTextAreaElement).value)).toBe("");
    await domClick(page, "mat-dialog-container button[data-test-close-button]");
    await fillAndCount(page, "Hello with none selected.");
    await runAndWait(page, "2026-08");
    expect((await requests(sim.url))[2]!.request.systemInstruction).toBeNull();
  });

  it("switches the model through the Model selection dialog, applying its defaults", async () => {
    await domClick(page, S.modelCard);
    await waitForDialog(page, "Model selection");
    await page.type('mat-dialog-container input[aria-label="Search"]', "2.5 flash");
    const cards = await page.$$eval("mat-dialog-container .content-button", (els) =>
      els.map((e) => e.textContent),
    );
    // Every word matches somewhere in the card: the image model's id has "2.5" and "flash" too.
    expect(cards).toEqual([
      "Gemini 2.5 Flashgemini-2.5-flash",
      "Gemini 2.5 Flash-Litegemini-2.5-flash-lite",
      "Nano Bananagemini-2.5-flash-image",
    ]);
    await page.$$eval("mat-dialog-container .content-button", (els) =>
      (els[0] as HTMLElement).click(),
    );
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes("gemini-2.5-flash"),
      POLL,
      S.modelCard,
    );
    expect(await has(S.dialog)).toBe(false);
    expect(await has('button[aria-label="Toggle thinking mode"]')).toBe(true);
    expect(
      await page.evaluate(
        () => JSON.parse(localStorage.getItem("aiStudioUserPreference")!).promptModel,
      ),
    ).toBe("models/gemini-2.5-flash");
    await fillAndCount(page, "Which model?");
    await runAndWait(page, "2026-08");
    const [recorded] = await requests(sim.url);
    expect(recorded!.request).toMatchObject({
      model: "gemini-2.5-flash",
      temperature: 1,
      topP: 0.95,
      maxOutputTokens: 65536,
      thinking: { includeThoughts: true, budget: -1, level: null },
      tools: { googleSearch: false },
    });
  });

  it("sends what the UI set: temperature, top-P, max tokens, stop, thinking, system instructions, functions, schema, tools", async () => {
    await domClick(page, S.modelCard);
    await waitForDialog(page, "Model selection");
    await page.$$eval("mat-dialog-container .content-button", (els) =>
      (els.find((e) => e.textContent!.endsWith("gemini-2.5-flash")) as HTMLElement).click(),
    );
    await page.waitForSelector('button[aria-label="Toggle thinking mode"]', WAIT);
    // The range snaps to its step (0.37 → 0.35); the number box takes the value as typed.
    await setNumber(page, 'input[type="range"][aria-label="Temperature"]', 0.37);
    expect(await page.$eval(S.temperature, (el) => (el as HTMLInputElement).value)).toBe("0.35");
    await setNumber(page, S.temperature, 0.45);
    await openGroup(page, S.advancedButton);
    await setNumber(page, S.topP, 0.5);
    await setNumber(page, S.maxTokens, 1000);
    for (const stop of ["END", "###"]) {
      await page.focus(S.stopInput);
      await page.keyboard.type(stop);
      await page.keyboard.press("Enter");
      await page.waitForSelector(
        `ms-stop-sequence-input mat-chip-row button[aria-label="Remove ${stop}"]`,
        WAIT,
      );
    }
    // A script's Enter has no keyCode, and Material's chip input does not take it.
    await page.$eval(S.stopInput, (el) => {
      (el as HTMLInputElement).value = "NOPE";
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    });
    expect(await has('button[aria-label="Remove NOPE"]')).toBe(false);
    await page.$eval(S.stopInput, (el) => ((el as HTMLInputElement).value = ""));
    await flip(page, "Toggle thinking budget between auto and manual");
    await setNumber(
      page,
      '[data-test-id="user-setting-budget-animation-wrapper"] input[type="number"]',
      1024,
    );

    await domClick(page, S.siCard);
    await page.waitForSelector("mat-dialog-container ms-system-instructions textarea", WAIT);
    await page.type(
      "mat-dialog-container ms-system-instructions textarea",
      "Answer like a pirate.",
    );
    await domClick(page, "mat-dialog-container button[data-test-close-button]");

    await openGroup(page, S.toolsButton);
    await flip(page, "Function calling");
    await domClick(page, 'button[aria-label="Edit function declarations"]');
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
    await saveEditor(page, "Save the current function declarations", declarations);
    await page.waitForFunction(() => !document.querySelector("mat-dialog-container"), POLL);
    await flip(page, "Structured outputs");
    await domClick(page, "button.edit-schema-button");
    const schema = { type: "object", properties: { mood: { type: "string" } } };
    await saveEditor(page, "Save the current schema", schema);
    await page.waitForFunction(() => !document.querySelector("mat-dialog-container"), POLL);

    await fillAndCount(page, "Use get_weather for Paris, please.");
    await runAndWait(page, "2026-08");

    // Second run: no functions or schema; Google Search, code execution and URL context.
    await flip(page, "Structured outputs");
    await flip(page, "Function calling");
    for (const tool of ["Grounding with Google Search", "Code execution", "Browse the url context"])
      await flip(page, tool);
    await fillAndCount(page, "Now search the web.");
    await runAndWait(page, "2026-08");

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "simulator-2026-08.png") });

    const [first, second] = await requests(sim.url);
    expect(first!.request).toMatchObject({
      model: "gemini-2.5-flash",
      systemInstruction: "Answer like a pirate.",
      temperature: 0.45,
      topP: 0.5,
      maxOutputTokens: 1000,
      stopSequences: ["END", "###"],
      thinking: { includeThoughts: true, budget: 1024, level: null },
      responseMimeType: "application/json",
      responseSchema: schema,
      tools: {
        googleSearch: false,
        codeExecution: false,
        urlContext: false,
        functions: declarations,
      },
      timeZone: null,
    });
    expect(first!.answer!.functionCalls.map((c) => c.name)).toEqual(["get_weather"]);
    expect(second!.request).toMatchObject({
      responseMimeType: null,
      responseSchema: null,
      tools: { googleSearch: true, codeExecution: true, urlContext: true, functions: [] },
      timeZone: expect.any(String),
    });
  });

  it("sends the thinking level chosen for Gemini 3, and Google Search on by default", async () => {
    await domClick(page, 'ms-thinking-level-setting mat-select[aria-label="Thinking Level"]');
    await page.waitForSelector('[role="listbox"] mat-option[data-level="low"]', WAIT);
    await domClick(page, '[role="listbox"] mat-option[data-level="low"]');
    await fillAndCount(page, "Think a little.");
    await runAndWait(page, "2026-08");
    const [recorded] = await requests(sim.url);
    expect(recorded!.request.thinking).toEqual({
      includeThoughts: true,
      budget: null,
      level: "low",
    });
    expect(recorded!.request.tools.googleSearch).toBe(true);
  });

  it("shows quota, rate limit, permission and blocked failures in §9's surfaces and texts", async () => {
    const RATE = "You have reached a rate limit. Set up billing";
    const lastError = () =>
      page.$$eval(
        '[data-turn-role="Model"] ms-error-message[role=alert]',
        (els) => els.at(-1)!.textContent!,
      );
    const cases = [
      { name: "quota", surface: ".quota-alert[role=alert]", surfaceText: RATE, turn: RATE },
      { name: "rate_limit", surface: "mat-snack-bar-container", surfaceText: RATE, turn: RATE },
      {
        name: "permission_denied",
        surface: "mat-snack-bar-container",
        surfaceText: "Failed to generate content: permission denied. Please try again.",
        turn: "An internal error has occurred.",
      },
      {
        name: "blocked",
        surface: null,
        surfaceText: null,
        turn: "Content blocked · Prohibited content",
      },
    ];
    for (const [i, c] of cases.entries()) {
      await scenario(sim.url, { scenario: c.name });
      await fillAndCount(page, `Failure number ${i + 1}: ${c.name}.`);
      await runAndWait(page, "2026-08");
      expect(await lastError(), c.name).toContain(c.turn);
      if (c.surface) {
        await page.waitForSelector(c.surface, WAIT);
        expect(await text(c.surface), c.name).toContain(c.surfaceText);
      }
    }
    // The older surfaces are not there.
    for (const gone of [".model-error", "div.toast", "ms-callout.error-callout"])
      expect(await has(gone), gone).toBe(false);
    expect((await requests(sim.url)).map((r) => r.scenario)).toEqual([
      "quota",
      "rate_limit",
      "permission_denied",
      "blocked",
    ]);
  });

  it("puts a rerun ms-run-button in each finished turn, so only a footer-scoped selector finds Run", async () => {
    await fillAndCount(page, "One turn.");
    await runAndWait(page, "2026-08");
    const first = await page.$eval("ms-run-button button[type=submit]", (el) =>
      el.getAttribute("aria-label"),
    );
    expect(first).toBe("Rerun this turn");
  });

  it.each(["2026-08", "2026"] as const)(
    "renames the Run button's host to ms-submit-button on request (UI %s)",
    async (ui) => {
      await configure(sim.url, { ui, rename: "runButton" });
      await openChat(page, chat());
      expect(await has("ms-run-button")).toBe(false);
      expect(await has("footer ms-submit-button button[type=submit]")).toBe(true);
      await fillPrompt(page, ui, `Renamed on ${ui}.`);
      if (ui === "2026-08")
        await page.waitForFunction(
          (sel) => document.querySelector(sel)?.textContent !== "0",
          POLL,
          S.tokenCount,
        );
      await domClick(page, "footer ms-submit-button button");
      await page.waitForSelector(".chat-turn-container.model .model-run-time-pill", WAIT);
      expect(await requests(sim.url)).toHaveLength(1);
    },
  );
});
