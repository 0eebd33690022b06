import type { RequestSpec, ThinkingLevel } from "../../src/wire/generate-content-request.js";
import { decodeListModels } from "../../src/wire/list-models.js";
import { addModelTurn, addUserTurn, clearChat, renderZeroState } from "./chat.js";
import { closeOverlays, dialog, openPane } from "./dialogs.js";
import { $, h, setSwitch } from "./h.js";
import { botguardToken, call, generateContent } from "./rpc.js";
import { renderSettings } from "./settings.js";
import { promptTextarea, renderShell, runButton, toast } from "./shell.js";
import {
  applyModelDefaults,
  levelLabel,
  readPreferences,
  writePreference,
  type AppState,
} from "./state.js";
import { UI_NAMES, type Generation } from "./ui-names.js";

/*
 * The simulated AI Studio page: renders the skeleton, loads models the way the real app does
 * (ListModels, preference in localStorage or ?model=), and on Run sends CountTokens, the
 * per-user-quota helper and GenerateContent, rendering the streamed answer into the chat.
 */

declare global {
  interface Window {
    default_MakerSuite?: { ready: boolean };
  }
}

const root = document.querySelector<HTMLElement>("ms-app")!;
const state: AppState = {
  ui: (root.dataset.ui === "2025" ? "2025" : "2026") as Generation,
  models: [],
  model: "gemini-3-flash-preview",
  prompt: "",
  systemInstruction: "",
  temperature: 1,
  topP: 0.95,
  topK: 64,
  maxOutputTokens: 65536,
  stopSequences: [],
  thinkingOn: false,
  manualBudget: false,
  budget: 8192,
  level: "high",
  structuredOutput: false,
  schema: null,
  codeExecution: false,
  functionCalling: false,
  functions: [],
  googleSearch: false,
  urlContext: false,
  temporary: false,
  turns: [],
  running: null,
  previousResponseId: null,
};
let tokenCount: number | null = null;
const names = UI_NAMES[state.ui];

// ── Start-up ──────────────────────────────────────────────────────────────────────────────

async function start(): Promise<void> {
  renderShell(root, state);
  renderZeroState();
  const loaded = await call("ListModels", []);
  state.models = decodeListModels(loaded.text).models;
  const wanted = new URL(location.href).searchParams.get("model");
  const preferred = readPreferences().promptModel;
  const pick =
    state.models.find((m) => m.id === `models/${wanted}`) ??
    state.models.find((m) => m.id === preferred) ??
    state.models.find((m) => m.id === `models/${state.model}`) ??
    state.models[0];
  if (pick) {
    applyModelDefaults(state, pick);
    if (wanted !== null) writePreference("promptModel", pick.id);
  }
  void call("GetLoggingContext", []);
  void call("GetUserPreferences", []);
  void call("ListPrompts", [100]);
  void call("ListRecentApplets", []);
  renderSettings(state, tokenCount);
  window.default_MakerSuite = { ready: true };
}

// ── Run ───────────────────────────────────────────────────────────────────────────────────

function thinkingConfig(): RequestSpec["thinking"] {
  const model = state.models.find((m) => m.id === `models/${state.model}`);
  if (!model?.thinking.supported) return null;
  if (model.thinking.level) return { includeThoughts: true, budget: null, level: state.level };
  if (!state.thinkingOn) return { includeThoughts: false, budget: 0, level: null };
  return { includeThoughts: true, budget: state.manualBudget ? state.budget : -1, level: null };
}

function buildSpec(): RequestSpec {
  return {
    model: state.model,
    contents: state.turns.map((t) => ({ ...t })),
    systemInstruction: state.systemInstruction.trim() === "" ? null : state.systemInstruction,
    stopSequences: [...state.stopSequences],
    maxOutputTokens: state.maxOutputTokens,
    temperature: state.temperature,
    topP: state.topP,
    topK: state.topK,
    responseMimeType: state.structuredOutput ? "application/json" : null,
    responseSchema: state.structuredOutput ? state.schema : null,
    thinking: thinkingConfig(),
    tools: {
      googleSearch: state.googleSearch,
      codeExecution: state.codeExecution,
      urlContext: state.urlContext,
      functions: state.functionCalling ? state.functions : [],
    },
    token: botguardToken(),
    previousResponseId: null,
    timeZone: state.googleSearch ? Intl.DateTimeFormat().resolvedOptions().timeZone : null,
  };
}

let elapsedTimer: ReturnType<typeof setInterval> | undefined;

function setRunning(running: boolean, startedAt = 0): void {
  const button = runButton();
  const label = button.querySelector(".label")!;
  clearInterval(elapsedTimer);
  if (state.ui === "2025") {
    button.classList.toggle("stoppable", running);
    button.querySelector("svg")?.remove();
    if (running) {
      button.append(h("svg", { class: "stoppable-spinner", viewBox: "0 0 10 10" }));
      elapsedTimer = setInterval(
        () => (label.textContent = `${((Date.now() - startedAt) / 1000).toFixed(1)}s`),
        100,
      );
    } else label.textContent = "Run";
  } else label.textContent = running ? "Stop" : "Run";
  updateRunEnabled();
}

function updateRunEnabled(): void {
  const disabled = state.running === null && state.prompt.trim() === "";
  const button = runButton();
  button.toggleAttribute("disabled", disabled);
  button.setAttribute("aria-disabled", String(disabled));
  const newChat = document.querySelector<HTMLElement>(`button[aria-label="${names.newChatLabel}"]`);
  if (state.turns.length === 0) newChat?.setAttribute("disabled", "true");
  else newChat?.removeAttribute("disabled");
}

function run(): void {
  if (state.running) return;
  const text = state.prompt;
  if (text.trim() === "") return;
  document.querySelector("ms-callout.error-callout")?.remove();
  state.prompt = "";
  const textarea = promptTextarea();
  textarea.value = "";
  textarea.parentElement!.setAttribute("data-value", "");
  addUserTurn(text);
  state.turns.push({ role: "user", text });
  const view = addModelTurn(state);
  const spec = buildSpec();
  const startedAt = Date.now();
  void call("CountTokens", [
    `models/${spec.model}`,
    spec.contents.map((t) => [[[null, t.text]], t.role]),
  ]).then((r) => {
    try {
      tokenCount = (JSON.parse(r.text) as number[])[0] ?? null;
      const counter = $("ms-token-count .token-count-container");
      if (counter)
        counter.textContent = counter.textContent!.replace(
          /^[\d,]+/,
          (tokenCount ?? 0).toLocaleString("en-US"),
        );
    } catch {
      // A failed count only leaves the counter as it was.
    }
  });
  void call("StreamGenerateContentPerUserQuota", [`models/${spec.model}`]);

  let answer = "";
  const calls: Array<{ name: string; args: Record<string, never>; id?: string }> = [];
  state.running = generateContent(spec, {
    onHeaders(xhr) {
      if (xhr.getResponseHeader("x-sim-scenario") === "hang") {
        // The scenario "page stops responding": the renderer's main thread never returns.
        for (;;) {
          if (Date.now() < 0) break;
        }
      }
    },
    onEvent(event) {
      if (event.type === "thought") view.addThought(event.text);
      else if (event.type === "text") {
        answer += event.text;
        view.addText(event.text);
      } else if (event.type === "function_call") {
        calls.push({
          name: event.name,
          args: event.args as Record<string, never>,
          ...(event.id ? { id: event.id } : {}),
        });
        view.addFunctionCall(event.name, event.args);
      } else if (event.type === "response_id") state.previousResponseId = event.id;
    },
    onEnd(status, body, aborted) {
      state.running = null;
      setRunning(false);
      const seconds = (Date.now() - startedAt) / 1000;
      if (status === 200 || aborted) {
        view.finish(seconds);
        state.turns.push({
          role: "model",
          text: answer,
          ...(calls.length > 0 ? { functionCalls: calls } : {}),
        });
      } else if (status === 401) {
        location.assign(
          `/v3/signin/identifier?continue=${encodeURIComponent(location.pathname + location.search)}&flowName=GlifWebSignIn`,
        );
      } else if (status === 403) {
        toast("error", "Failed to generate content: permission denied. Please try again.");
        view.error("An internal error has occurred.");
      } else if (status === 429 && /exhausted|quota/i.test(body)) {
        document
          .querySelector("footer")!
          .before(
            h(
              "ms-callout",
              { class: "error-callout" },
              h(
                "span",
                { class: "message" },
                "Failed to generate content, user has exceeded quota. Please try again later.",
              ),
            ),
          );
        view.error("You've reached your rate limit. Please try again later.");
      } else if (status === 429) {
        view.error("You've reached your rate limit. Please try again later.");
      } else {
        view.error("An internal error has occurred.");
      }
      updateRunEnabled();
    },
  });
  setRunning(true, startedAt);
}

// ── Controls ──────────────────────────────────────────────────────────────────────────────

function toggleSwitch(label: string): boolean {
  switch (label) {
    case "Toggle thinking mode":
      state.thinkingOn = !state.thinkingOn;
      return true;
    case "Toggle thinking budget between auto and manual":
      state.manualBudget = !state.manualBudget;
      return true;
    case "Structured output":
      state.structuredOutput = !state.structuredOutput;
      return true;
    case "Code execution":
      state.codeExecution = !state.codeExecution;
      return true;
    case "Function calling":
      state.functionCalling = !state.functionCalling;
      return true;
    case "Grounding with Google Search":
      state.googleSearch = !state.googleSearch;
      return true;
    case "Browse the url context":
      state.urlContext = !state.urlContext;
      return true;
    default:
      return false;
  }
}

function openModelPicker(): void {
  const search = h("input", {
    type: "text",
    placeholder: "Search for a model",
    "aria-label": "Search for a model",
  });
  const list = h("div", { class: "model-list", role: "listbox" });
  const fill = () => {
    const q = (search as HTMLInputElement).value.toLowerCase();
    list.replaceChildren(
      ...state.models
        .filter((m) => m.id.includes(q) || m.displayName.toLowerCase().includes(q))
        .map((m) =>
          h(
            state.ui === "2025" ? "ms-model-carousel-row" : "button",
            {
              class: `model-row${m.id === `models/${state.model}` ? " selected" : ""}`,
              "data-model-id": m.id,
              role: "option",
            },
            h("span", { class: "model-title" }, m.displayName),
            h("span", { class: "model-subtitle" }, m.id.replace(/^models\//, "")),
          ),
        ),
    );
  };
  search.addEventListener("input", fill);
  fill();
  dialog(
    "Select a model",
    h(state.ui === "2025" ? "ms-model-carousel" : "div", { class: "model-picker" }, search, list),
    [h("button", { class: "ms-button-borderless", "data-test-close-button": true }, "Close")],
  );
}

function openSystemInstructions(): void {
  const textarea = h("textarea", {
    "aria-label": "System instructions",
    rows: 8,
    placeholder: "Optional tone and style instructions for the model",
  }) as HTMLTextAreaElement;
  textarea.value = state.systemInstruction;
  if (state.ui === "2025") {
    const slot = $(".system-instructions-slot")!;
    if (slot.firstChild) slot.replaceChildren();
    else slot.replaceChildren(h("ms-system-instructions", {}, textarea));
    return;
  }
  dialog("System instructions", h("div", { class: "system-instructions-panel" }, textarea), [
    h(
      "button",
      {
        class: "ms-button-borderless",
        "data-test-close-button": true,
        "aria-label": "Close panel",
      },
      "Close",
    ),
  ]);
}

function openDeclarations(kind: "functions" | "schema"): void {
  const editor = h("textarea", {
    class: "code-editor",
    rows: 14,
    spellcheck: "false",
    "aria-label": kind === "functions" ? "Function declarations" : "JSON schema",
  }) as HTMLTextAreaElement;
  editor.value = JSON.stringify(
    kind === "functions" ? state.functions : (state.schema ?? { type: "object", properties: {} }),
    null,
    2,
  );
  const error = h("div", { class: "editor-error", role: "alert" });
  const save = h(
    "button",
    {
      class: "ms-button-primary",
      "aria-label":
        kind === "functions" ? "Save the current function declarations" : "Save the current schema",
    },
    "Save",
  );
  save.addEventListener("click", () => {
    try {
      const value = JSON.parse(editor.value);
      if (kind === "functions") {
        if (!Array.isArray(value) || value.some((f) => typeof f?.name !== "string"))
          throw new Error("Expected a list of declarations, each with a name");
        state.functions = value;
      } else {
        if (typeof value !== "object" || value === null || Array.isArray(value))
          throw new Error("Expected a JSON schema object");
        state.schema = value;
      }
      closeOverlays("dialog");
    } catch (err) {
      error.textContent = `Invalid JSON: ${(err as Error).message}`;
    }
  });
  const reset = h(
    "button",
    {
      class: "ms-button-borderless",
      "aria-label": kind === "functions" ? "Reset the function declarations" : "Reset the schema",
    },
    "Reset",
  );
  reset.addEventListener(
    "click",
    () =>
      (editor.value =
        kind === "functions" ? "[]" : '{\n  "type": "object",\n  "properties": {}\n}'),
  );
  const body =
    kind === "functions"
      ? h(
          "div",
          {},
          h(
            "ms-tab-group",
            {},
            h("button", { role: "tab", "aria-selected": "true" }, "Code Editor"),
            h("button", { role: "tab", "aria-selected": "false" }, "Visual Editor"),
          ),
          h("ms-text-editor", {}, editor),
          error,
        )
      : h("div", {}, h("ms-text-editor", {}, editor), error);
  dialog(kind === "functions" ? "Function declarations" : "Structured output", body, [
    reset,
    h("button", { class: "ms-button-borderless", "data-test-close-button": true }, "Close"),
    save,
  ]);
}

function openMoreActions(): void {
  const item = h(
    "button",
    {
      class: `mat-mdc-menu-item${state.temporary ? " ms-button-active" : ""}`,
      role: "menuitem",
      "aria-label": names.temporaryChatLabel,
      "data-test-incognito-toggle": true,
    },
    "Temporary chat",
    state.temporary ? h("span", { "data-test-incognito-checkmark": true }, " ✓") : null,
  );
  openPane(
    "menu",
    h(
      "div",
      { class: "mat-mdc-menu-panel", role: "menu" },
      item,
      h("button", { class: "mat-mdc-menu-item", role: "menuitem" }, "Get code"),
    ),
  );
}

function setTemporary(on: boolean): void {
  state.temporary = on;
  $(".incognito-slot")!.replaceChildren(
    on
      ? h(
          "ms-incognito-mode-indicator",
          {},
          h("span", { "data-test-id": "main-text" }, "Temporary chat"),
        )
      : "",
  );
}

document.addEventListener("click", (event) => {
  const target = event.target as HTMLElement;
  const button = target.closest<HTMLElement>(
    "button, mat-select, mat-option, ms-model-carousel-row, .cdk-overlay-backdrop",
  );
  if (!button) return;
  if (button.classList.contains("cdk-overlay-backdrop"))
    return (closeOverlays("menu"), closeOverlays("listbox"));
  if (button.hasAttribute("disabled") && button.getAttribute("disabled") !== "false") return;
  const label = button.getAttribute("aria-label") ?? "";

  if (button === runButton()) return state.running ? state.running.abort() : run();
  if (label === names.newChatLabel) {
    if (state.turns.length === 0) return;
    const confirm = h("button", { class: "ms-button-primary" }, names.discardConfirmText);
    confirm.addEventListener("click", () => {
      state.turns = [];
      state.previousResponseId = null;
      clearChat();
      closeOverlays("dialog");
      updateRunEnabled();
    });
    dialog("Discard unsaved changes?", h("p", {}, "Your current chat will be discarded."), [
      h("button", { class: "ms-button-borderless", "data-test-close-button": true }, "Cancel"),
      confirm,
    ]);
    return;
  }
  if (label === "View more actions") return openMoreActions();
  if (label === names.temporaryChatLabel) {
    setTemporary(!state.temporary);
    return closeOverlays("menu");
  }
  if (button.hasAttribute("data-test-close-button")) return closeOverlays("dialog");
  if (label === "Toggle run settings panel") {
    const panel = $("ms-right-side-panel")!;
    const settings = panel.querySelector("ms-run-settings");
    if (settings) settings.remove();
    else {
      panel.append(h("ms-run-settings", {}));
      renderSettings(state, tokenCount);
    }
    return;
  }
  if (
    button.hasAttribute("data-test-model-selector-card") ||
    button.closest("ms-model-selector-v3")
  )
    return openModelPicker();
  if (button.classList.contains("model-row") || button.tagName === "MS-MODEL-CAROUSEL-ROW") {
    const model = state.models.find((m) => m.id === button.getAttribute("data-model-id"));
    if (model) {
      applyModelDefaults(state, model);
      writePreference("promptModel", model.id);
      renderSettings(state, tokenCount);
    }
    return closeOverlays("dialog");
  }
  if (
    button.hasAttribute("data-test-system-instructions-card") ||
    button.hasAttribute("data-test-si")
  )
    return openSystemInstructions();
  if (button.getAttribute("role") === "switch" && toggleSwitch(label)) {
    setSwitch(button, !(button.getAttribute("aria-checked") === "true"));
    return renderSettings(state, tokenCount);
  }
  if (label === "Thinking Level") {
    const levels = (button.getAttribute("data-levels") ?? "").split(",") as ThinkingLevel[];
    button.setAttribute("aria-expanded", "true");
    openPane(
      "listbox",
      h(
        "div",
        { role: "listbox", class: "mat-mdc-select-panel" },
        ...levels.map((l) =>
          h(
            "mat-option",
            { role: "option", "data-level": l, "aria-selected": String(l === state.level) },
            h("span", { class: "mdc-list-item__primary-text" }, levelLabel(l)),
          ),
        ),
      ),
    );
    return;
  }
  if (button.tagName === "MAT-OPTION" && button.hasAttribute("data-level")) {
    state.level = button.getAttribute("data-level") as ThinkingLevel;
    closeOverlays("listbox");
    return renderSettings(state, tokenCount);
  }
  if (label === "Edit function declarations" && button.getAttribute("aria-disabled") !== "true")
    return openDeclarations("functions");
  if (
    button.classList.contains("edit-schema-button") &&
    button.getAttribute("aria-disabled") !== "true"
  )
    return openDeclarations("schema");
  if (label.startsWith("Remove ") && button.classList.contains("chip-remove")) {
    state.stopSequences = state.stopSequences.filter((s) => s !== label.slice("Remove ".length));
    return renderSettings(state, tokenCount);
  }
  if (label === "Expand or collapse tools") {
    writePreference("areToolsOpen", readPreferences().areToolsOpen === false);
    return renderSettings(state, tokenCount);
  }
});

document.addEventListener("input", (event) => {
  const target = event.target as HTMLInputElement | HTMLTextAreaElement;
  if (target === promptTextarea()) {
    state.prompt = target.value;
    target.parentElement!.setAttribute("data-value", target.value);
    updateRunEnabled();
  } else if (target.getAttribute("aria-label") === "System instructions") {
    state.systemInstruction = target.value;
  }
});

// Number inputs commit on change (blur or Enter), as the Material sliders' inputs do.
document.addEventListener("change", (event) => {
  const target = event.target as HTMLInputElement;
  const setting = target.getAttribute("data-setting");
  if (setting === null) return;
  const value = Number(target.value);
  if (!Number.isFinite(value)) return;
  const clamp = (v: number) =>
    Math.min(Number(target.max || Infinity), Math.max(Number(target.min || -Infinity), v));
  if (setting === "temperature") state.temperature = clamp(value);
  else if (setting === "topP") state.topP = clamp(value);
  else if (setting === "maxOutputTokens") state.maxOutputTokens = Math.round(clamp(value));
  else if (setting === "budget") state.budget = Math.round(clamp(value));
  renderSettings(state, tokenCount);
});

document.addEventListener("keydown", (event) => {
  const target = event.target as HTMLElement;
  if (target === promptTextarea() && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  } else if (target.getAttribute("aria-label") === "Add stop token" && event.key === "Enter") {
    const value = (target as HTMLInputElement).value;
    if (value !== "" && !state.stopSequences.includes(value)) state.stopSequences.push(value);
    renderSettings(state, tokenCount);
    $('input[aria-label="Add stop token"]')?.focus();
  }
});

void start();
