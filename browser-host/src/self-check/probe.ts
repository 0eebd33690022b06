import { bareModelId } from "@aistudio-edge/shared";
import type { AiStudioPage } from "../driver/aistudio-page.js";
import { AuthExpiredError, SelectorNotFoundError, TimeoutError } from "../driver/errors.js";
import type { SelectorName } from "../driver/selectors.js";
import type { Logger } from "../log.js";
import type { ModelInfo } from "../wire/list-models.js";
import { CONCEPTS, ruleOf } from "./concepts.js";
import { DialogChecks } from "./dialog-checks.js";
import { Findings } from "./findings.js";
import type { Report } from "./report.js";

/*
 * The self-check's walk over a freshly loaded chat, without running a prompt: the driver's own
 * page load, overlay step, temporary chat and settings panel, then each dialog the driver uses
 * opened and closed again. It is a temporary chat in a browser context of its own, so the few
 * switches it turns (Google Search off, function calling on, a manual thinking budget, to reach
 * the controls behind them) change nothing that outlives it.
 */

/** How long the controls a step just revealed get to render. */
const SETTLE_MAX_MS = 5_000;

const PANEL: SelectorName[] = [
  "temperature",
  "topP",
  "maxTokens",
  "stopInput",
  "structuredOutput",
  "schemaEdit",
  "functionCalling",
  "functionEdit",
  "googleSearch",
  "systemInstructionsOpen",
];
const THINKING: SelectorName[] = CONCEPTS.filter((c) => ruleOf(c).thinking !== undefined);

export type ProbeOutcome = Pick<
  Report,
  | "signIn"
  | "generation"
  | "listModels"
  | "currentModel"
  | "thinking"
  | "temporaryChat"
  | "overlaysDismissed"
  | "groupsExpanded"
  | "problems"
> & { models: ModelInfo[] };

export class PageProbe {
  readonly findings: Findings;
  private readonly settleMs: number;
  private readonly out: ProbeOutcome = {
    signIn: { state: "unknown", url: null, detail: null, remedy: null },
    generation: null,
    listModels: { decoded: false, models: 0, error: null },
    currentModel: null,
    thinking: "unknown",
    temporaryChat: "unknown",
    overlaysDismissed: [],
    groupsExpanded: 0,
    problems: [],
    models: [],
  };

  constructor(
    private readonly ui: AiStudioPage,
    timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.settleMs = Math.min(timeoutMs, SETTLE_MAX_MS);
    this.findings = new Findings(ui.locate, this.settleMs);
  }

  private get locate() {
    return this.ui.locate;
  }

  async walk(): Promise<ProbeOutcome> {
    if (!(await this.load())) return this.out;
    await this.step("overlays", () => this.dismiss());
    await this.step("page", () => this.page());
    const dialogs = new DialogChecks(this.ui, this.findings, this.settleMs, () => this.dismiss());
    await this.step("model selection", () => dialogs.modelSelection());
    await this.step("temporary chat", async () => {
      this.out.temporaryChat = await dialogs.temporaryChat();
    });
    await this.step("run settings", () => this.settingsPanel());
    if (!this.findings.found("runSettings"))
      this.findings.skip([...PANEL, ...THINKING], "the run settings panel did not open");
    await this.step("thinking", () => dialogs.thinking(this.out.thinking));
    await this.step("system instructions", () => dialogs.systemInstructions());
    await this.step("function declarations", () => dialogs.declarations());
    await this.step("overlays", () => this.dismiss());
    this.findings.skip(
      CONCEPTS.filter((c) => ruleOf(c).afterRun),
      "seen only on a chat with turns: checked with --run",
    );
    await this.step("optional parts", () => this.findings.lookOnce(CONCEPTS));
    return this.out;
  }

  /** The driver's page load; false when there is no chat page to look at. */
  private async load(): Promise<boolean> {
    try {
      this.out.models = await this.ui.load(null);
      this.out.listModels = { decoded: true, models: this.out.models.length, error: null };
    } catch (err) {
      const url = new URL(this.ui.page.url());
      const where = url.protocol.startsWith("http") ? `${url.origin}${url.pathname}` : null;
      if (err instanceof AuthExpiredError) {
        const region = /region block/.test(err.message);
        this.out.signIn = {
          state: region ? "region-blocked" : "signed-out",
          url: where,
          detail: err.message,
          remedy: null,
        };
        this.findings.skip(CONCEPTS, "signed out: the chat page was not shown");
        return false;
      }
      if (!this.locate.matched("promptTextarea")) {
        if (err instanceof TimeoutError) this.findings.missing("promptTextarea", err.message);
        else this.out.problems.push(`loading ${where ?? "the chat page"}: ${String(err)}`);
        this.findings.skip(CONCEPTS, "the chat page did not load");
        return false;
      }
      // The page is there but its model list is not: the rest can still be checked.
      this.out.listModels.error = (err as Error).message;
    }
    this.out.signIn.state = "signed-in";
    this.findings.ok("promptTextarea");
    this.out.generation = this.locate.generation();
    return true;
  }

  /** Runs one step; a failure other than a sign-in is recorded and the walk goes on. */
  private async step(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const message = (err as Error).message;
      this.out.problems.push(`${what}: ${message}`);
      this.log.warn("a self-check step failed", { step: what, error: message });
    }
  }

  /** The overlay step with nothing about to be clicked: what it dismissed goes in the report. */
  private async dismiss(): Promise<void> {
    this.out.overlaysDismissed.push(...(await this.locate.overlays.clear(null)));
  }

  private async page(): Promise<void> {
    await this.findings.look(["runButton", "modelName", "newChat"]);
    if (!this.findings.found("modelName")) return;
    this.out.currentModel = await this.ui.currentModel(this.out.models);
    const info = this.out.models.find((m) => bareModelId(m.id) === this.out.currentModel);
    this.out.thinking = !info
      ? "unknown"
      : info.thinking.supported && info.thinking.level
        ? "level"
        : info.thinking.supported && info.thinking.budget
          ? "budget"
          : "none";
  }

  private async settingsPanel(): Promise<void> {
    if (!(await this.locate.has("runSettings"))) {
      if (!(await this.findings.look(["runSettingsToggle"])))
        return this.findings.missing("runSettings", "closed, and its toggle is missing");
      await this.dismiss();
    }
    try {
      await this.ui.settings.ensureOpen();
    } catch (err) {
      if (!(err instanceof SelectorNotFoundError)) throw err;
      return this.findings.missing("runSettings", err.message);
    }
    this.findings.ok("runSettings");
    await this.findings.look(["runSettingsToggle"]);
    this.out.groupsExpanded = await this.ui.settings.expandGroups();
    const kind = this.out.thinking;
    const thinking = THINKING.filter((c) => ruleOf(c).thinking === kind);
    this.findings.skip(
      THINKING.filter((c) => !thinking.includes(c)),
      kind === "unknown"
        ? "the page's model is not in ListModels"
        : `not used for ${this.out.currentModel}`,
      "n/a",
    );
    // The first control of each thinking kind; the rest show only after it is used.
    await this.findings.look([...PANEL, ...thinking.slice(0, 1)]);
    // The tools only some jobs use, beside the others once these rendered: one look, no wait.
    await this.findings.lookOnce(["urlContext", "codeExecution"]);
  }
}
