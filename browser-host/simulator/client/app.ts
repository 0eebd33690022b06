import type { ThinkingLevel } from "../../src/wire/generate-content-request.js";
import { decodeListModels, type ModelInfo } from "../../src/wire/list-models.js";
import { readBoot } from "./boot.js";
import { aspectRatioOf, openAspectRatios } from "./aspect-ratio.js";
import { addModelTurn, addUserTurn, clearChat, renderZeroState } from "./chat.js";
import { closeOverlays, dialog, openPane } from "./dialogs.js";
import { openDeclarations } from "./editors.js";
import {
  clearFailureBanners,
  PERMISSION_TEXT,
  showClassicFailure,
  showFailure0826,
  snackBar,
} from "./error-surfaces.js";
import { scheduleFirstRun } from "./first-run.js";
import { installGroupToggles } from "./groups.js";
import { $, h, setSwitch } from "./h.js";
import { installMediaMenuGuard, MediaUploads } from "./media-upload.js";
import { openModelPicker, openModelSelection } from "./model-picker.js";
import { openMoreActions, setTemporary, toggleTemporaryInMenu } from "./more-actions.js";
import { installOverlayGuard } from "./overlay-guard.js";
import { buildSpec } from "./request.js";
import { call, generateContent } from "./rpc.js";
import { renderSettings } from "./settings.js";
import { promptTextarea, renderShell, runButton } from "./shell.js";
import { selectedPreset } from "./si-presets.js";
import {
  applyModelDefaults,
  levelLabel,
  readPreferences,
  writePreference,
  type AppState,
} from "./state.js";
import { openSystemInstructions } from "./system-instructions.js";
import { countedContents, showTokenCount, TokenCounter } from "./token-count.js";
import { keepToolsCompatible } from "./tool-conflicts.js";
import { uiNames } from "./ui-names.js";

/*
 * The simulated AI Studio page: renders the skeleton, loads models the way the real app does
 * (ListModels, preference in localStorage or ?model=), and on Run sends CountTokens, the
 * per-user-quota helper and GenerateContent, rendering the streamed answer into the chat.
 * The 2026-08 generation adds, from its own modules: the overlay guard and first-run overlays,
 * collapsed settings groups, token counting that holds Run back, system-instruction presets,
 * strict declaration editors and its error surfaces. Every generation has media upload
 * (media-upload.ts) and the image models' aspect ratio (aspect-ratio.ts).
 */

declare global {
  interface Window {
    default_MakerSuite?: { ready: boolean };
  }
}

const root = document.querySelector<HTMLElement>("ms-app")!;
const boot = readBoot();
const latest = boot.ui === "2026-08";
const state: AppState = {
  ui: boot.ui,
  rename: boot.rename,
  models: [],
  model: "gemini-3-flash-preview",
  prompt: "",
  // 2026-08: a page load starts with the selected preset's instructions (facts §9).
  systemInstruction: latest ? (selectedPreset()?.text ?? "") : "",
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
  tokenCount: null,
  attachments: [],
  aspectRatio: null,
};
const names = uiNames(state);
const counter = new TokenCounter(state);
// A chip came or went: it joins the count (2026-08 holds Run back until then) and may enable Run.
const uploads = new MediaUploads(state, boot.upload, () => {
  counter.schedule();
  updateRunEnabled();
});

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
  renderSettings(state);
  window.default_MakerSuite = { ready: true };
  if (latest)
    scheduleFirstRun(boot.firstRun, {
      tryGemini: () => {
        const pro = state.models.find((m) => /gemini-\d.*pro/.test(m.id));
        if (pro) switchModel(pro);
      },
    });
}

/** A model chosen in a picker (or by the welcome dialog): its defaults apply and are remembered. */
function switchModel(model: ModelInfo): void {
  applyModelDefaults(state, model);
  if (latest) keepToolsCompatible(state);
  writePreference("promptModel", model.id);
  renderSettings(state);
}

// ── Run ───────────────────────────────────────────────────────────────────────────────────

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
  const disabled =
    state.running === null && state.prompt.trim() === "" && state.attachments.length === 0;
  const button = runButton();
  button.toggleAttribute("disabled", disabled);
  button.setAttribute("aria-disabled", String(disabled));
  const newChat = document.querySelector<HTMLElement>(`button[aria-label="${names.newChatLabel}"]`);
  if (state.turns.length === 0 && state.attachments.length === 0)
    newChat?.setAttribute("disabled", "true");
  else newChat?.removeAttribute("disabled");
}

/** The count after a run, as the page showed it before 2026-08 (2026-08 counts on input). */
function countAfterRun(contents: AppState["turns"]): void {
  void call("CountTokens", [`models/${state.model}`, countedContents(contents)]).then((r) => {
    try {
      state.tokenCount = (JSON.parse(r.text) as number[])[0] ?? null;
      showTokenCount(state.tokenCount ?? 0);
    } catch {
      // A failed count only leaves the counter as it was.
    }
  });
}

function run(): void {
  if (state.running) return;
  // Every generation: Run does nothing, silently, while a file is still uploading (facts §9).
  if (uploads.pending()) return;
  // 2026-08 (facts §9 "Run vs token counting"): Run is ignored, silently, while counting.
  if (latest && counter.counting) return;
  const text = state.prompt;
  if (text.trim() === "" && state.attachments.length === 0) return;
  clearFailureBanners();
  state.prompt = "";
  const textarea = promptTextarea();
  textarea.value = "";
  textarea.parentElement!.setAttribute("data-value", "");
  const { files, names: fileNames } = uploads.take();
  addUserTurn(text, fileNames);
  state.turns.push({ role: "user", text, ...(files.length > 0 ? { files } : {}) });
  const view = addModelTurn(state);
  const spec = buildSpec(state);
  const startedAt = Date.now();
  if (latest) counter.schedule();
  else countAfterRun(spec.contents);
  void call("StreamGenerateContentPerUserQuota", [`models/${spec.model}`]);

  let answer = "";
  let blocked = false;
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
      } else if (event.type === "inline_data" && !event.thought) {
        view.addImage(event.mimeType, event.data);
      } else if (event.type === "response_id") state.previousResponseId = event.id;
      else if (event.type === "blocked") blocked = true;
    },
    onEnd(status, body, aborted) {
      state.running = null;
      setRunning(false);
      // 2026-08: the answer joins what is counted, and Run waits for that count too.
      if (latest) counter.schedule();
      const seconds = (Date.now() - startedAt) / 1000;
      if (status === 200 && blocked) {
        view.blocked();
      } else if (status === 200 || aborted) {
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
      } else if (latest) showFailure0826(view, status, body);
      else showClassicFailure(view, status, body);
      updateRunEnabled();
    },
  });
  setRunning(true, startedAt);
}

// ── Controls ──────────────────────────────────────────────────────────────────────────────

/** The prompt box's media button, in every generation (facts §9 "Upload", §1.2). */
const MEDIA_BUTTON =
  'footer ms-add-media-button button[data-test="selectMediaMenu"], footer ms-add-chunk-menu button[data-test-id="add-media-button"]';

function toggleSwitch(label: string): boolean {
  switch (label) {
    case "Toggle thinking mode":
      state.thinkingOn = !state.thinkingOn;
      return true;
    case "Toggle thinking budget between auto and manual":
      state.manualBudget = !state.manualBudget;
      return true;
    case names.structuredOutputLabel:
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

function openNewChatDialog(): void {
  const confirm = h("button", { class: "ms-button-primary" }, names.discardConfirmText);
  confirm.addEventListener("click", () => {
    state.turns = [];
    state.previousResponseId = null;
    uploads.clear();
    clearChat();
    closeOverlays("dialog");
    updateRunEnabled();
    if (latest) counter.schedule();
  });
  dialog(
    "Discard unsaved changes?",
    h("p", {}, "Your current chat will be discarded."),
    [
      h("button", { class: "ms-button-borderless", "data-test-close-button": true }, "Cancel"),
      confirm,
    ],
    names.dialogTag,
  );
}

function openThinkingLevels(select: HTMLElement): void {
  const levels = (select.getAttribute("data-levels") ?? "").split(",") as ThinkingLevel[];
  select.setAttribute("aria-expanded", "true");
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
}

function toggleSettingsPanel(): void {
  const panel = $("ms-right-side-panel")!;
  const settings = panel.querySelector("ms-run-settings");
  if (settings) settings.remove();
  else {
    panel.append(h("ms-run-settings", {}));
    renderSettings(state);
  }
}

// 2026-08: overlays swallow clicks, and the settings groups toggle; both ahead of the handler below.
// The older generations' media menu swallows clicks too, by its own guard.
if (latest) {
  installOverlayGuard();
  installGroupToggles(() => renderSettings(state));
} else installMediaMenuGuard();

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
  if (label === names.newChatLabel)
    return state.turns.length === 0 && state.attachments.length === 0
      ? undefined
      : openNewChatDialog();
  if (button.matches(MEDIA_BUTTON)) return uploads.openMenu();
  if (label === "View more actions") return openMoreActions(state);
  if (label === names.temporaryChatLabel) {
    if (latest) return toggleTemporaryInMenu(state, button);
    setTemporary(state, !state.temporary);
    return closeOverlays("menu");
  }
  if (button.hasAttribute("data-test-close-button")) return closeOverlays("dialog");
  if (label === "Toggle run settings panel") return toggleSettingsPanel();
  if (latest && button.matches("ms-model-selector button.model-selector-card"))
    return openModelSelection(state, switchModel);
  if (
    button.hasAttribute("data-test-model-selector-card") ||
    button.closest("ms-model-selector-v3")
  )
    return openModelPicker(state);
  if (button.classList.contains("model-row") || button.tagName === "MS-MODEL-CAROUSEL-ROW") {
    const model = state.models.find((m) => m.id === button.getAttribute("data-model-id"));
    if (model) switchModel(model);
    return closeOverlays("dialog");
  }
  if (
    button.hasAttribute("data-test-system-instructions-card") ||
    button.hasAttribute("data-test-si")
  )
    return openSystemInstructions(state, () => renderSettings(state));
  if (button.getAttribute("role") === "switch" && toggleSwitch(label)) {
    setSwitch(button, !(button.getAttribute("aria-checked") === "true"));
    return renderSettings(state);
  }
  if (label === "Thinking Level") return openThinkingLevels(button);
  if (label === "Aspect ratio" && button.tagName === "MAT-SELECT")
    return openAspectRatios(button, state);
  const ratio = button.tagName === "MAT-OPTION" ? aspectRatioOf(button) : undefined;
  if (ratio !== undefined) {
    state.aspectRatio = ratio;
    closeOverlays("listbox");
    return renderSettings(state);
  }
  if (button.tagName === "MAT-OPTION" && button.hasAttribute("data-level")) {
    state.level = button.getAttribute("data-level") as ThinkingLevel;
    closeOverlays("listbox");
    return renderSettings(state);
  }
  if (label === "Edit function declarations" && button.getAttribute("aria-disabled") !== "true")
    return openDeclarations(state, "functions");
  if (
    button.classList.contains("edit-schema-button") &&
    button.getAttribute("aria-disabled") !== "true"
  )
    return openDeclarations(state, "schema");
  if (label.startsWith("Remove ") && button.classList.contains("chip-remove")) {
    state.stopSequences = state.stopSequences.filter((s) => s !== label.slice("Remove ".length));
    return renderSettings(state);
  }
  if (label === "Expand or collapse tools") {
    writePreference("areToolsOpen", readPreferences().areToolsOpen === false);
    return renderSettings(state);
  }
});

document.addEventListener("input", (event) => {
  const target = event.target as HTMLInputElement | HTMLTextAreaElement;
  if (target === promptTextarea()) {
    state.prompt = target.value;
    target.parentElement!.setAttribute("data-value", target.value);
    updateRunEnabled();
    if (latest) counter.schedule();
  } else if (target.getAttribute("aria-label") === "System instructions") {
    state.systemInstruction = target.value;
  }
});

// Number inputs commit on change (blur or Enter), as the Material sliders' inputs do. The
// 2026-08 boxes are text inputs: their bounds are the spinbutton's aria-valuemin/-max.
document.addEventListener("change", (event) => {
  const target = event.target as HTMLInputElement;
  const setting = target.getAttribute("data-setting");
  if (setting === null) return;
  const value = Number(target.value);
  if (!Number.isFinite(value)) return;
  const bound = (attr: string, fallback: number) =>
    Number(target.getAttribute(attr) || target.getAttribute(`aria-value${attr}`) || fallback);
  const clamp = (v: number) =>
    Math.min(bound("max", Infinity), Math.max(bound("min", -Infinity), v));
  if (setting === "temperature") state.temperature = clamp(value);
  else if (setting === "topP") state.topP = clamp(value);
  else if (setting === "maxOutputTokens") state.maxOutputTokens = Math.round(clamp(value));
  else if (setting === "budget") state.budget = Math.round(clamp(value));
  renderSettings(state);
});

function addStopSequence(input: HTMLInputElement, selector: string): void {
  const value = input.value;
  if (value !== "" && !state.stopSequences.includes(value)) state.stopSequences.push(value);
  renderSettings(state);
  $(selector)?.focus();
}

document.addEventListener("keydown", (event) => {
  const target = event.target as HTMLElement;
  if (target === promptTextarea() && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    // 2026-08 (facts §9 "Run"): a script's Ctrl+Enter is refused with a misleading 403 text.
    if (latest && !event.isTrusted) return snackBar(PERMISSION_TEXT);
    run();
  } else if (
    !latest &&
    target.getAttribute("aria-label") === "Add stop token" &&
    event.key === "Enter"
  ) {
    addStopSequence(target as HTMLInputElement, 'input[aria-label="Add stop token"]');
  } else if (latest && target.id === "chip-input" && event.keyCode === 13) {
    // Material's chip input adds on its separator key codes (ENTER = 13), so a synthetic
    // KeyboardEvent with only `key: "Enter"` adds nothing, as on the real page.
    addStopSequence(target as HTMLInputElement, "ms-stop-sequence-input input#chip-input");
  }
});

void start();
