import type { AiStudioPage } from "../driver/aistudio-page.js";
import { SelectorNotFoundError, TimeoutError } from "../driver/errors.js";
import type { SelectorName } from "../driver/selectors.js";
import { waitFor } from "../driver/wait.js";
import type { Findings } from "./findings.js";
import type { Report } from "./report.js";

/*
 * The menus and dialogs the driver uses, each opened the way the driver opens it, looked into
 * and closed again by the overlay step: model selection (nothing chosen), More actions with
 * temporary chat, the thinking level list or budget switches, system instructions, and function
 * declarations (Google Search off and function calling on first, as the page requires).
 */

export class DialogChecks {
  constructor(
    private readonly ui: AiStudioPage,
    private readonly findings: Findings,
    private readonly settleMs: number,
    /** The overlay step whose dismissals the report lists, before a menu or dialog is opened. */
    private readonly dismiss: () => Promise<void>,
  ) {}

  private get locate() {
    return this.ui.locate;
  }

  /** Closes what the self-check itself opened (not a first-run overlay, so not reported). */
  private async close(): Promise<void> {
    await this.locate.overlays.clear(null);
  }

  /** The model selection dialog opened and closed again, nothing chosen. */
  async modelSelection(): Promise<void> {
    if (!(await this.findings.look(["modelPicker"])))
      return this.findings.skip(["modelOption", "modelSearch"], "the model picker is missing");
    await this.dismiss();
    await this.locate.click("modelPicker", this.opts());
    try {
      await this.findings.look(["modelOption"]);
      await this.findings.lookOnce(["modelSearch"]);
    } finally {
      await this.close();
    }
  }

  /** The driver turns temporary chat on; then the menu is opened again to see the toggle. */
  async temporaryChat(): Promise<Report["temporaryChat"]> {
    await this.ui.ensureTemporaryChat();
    await this.dismiss();
    if (await this.locate.clickIfPresent("moreActions")) this.findings.ok("moreActions");
    else this.findings.missing("moreActions");
    try {
      const toggle = await this.findings.look(["temporaryToggle"]);
      // Its state, while the menu that may be the only place showing it is open.
      await this.findings.lookOnce(["temporaryChecked", "temporaryIndicator"]);
      const on =
        this.findings.found("temporaryChecked") || this.findings.found("temporaryIndicator");
      return !toggle ? "no toggle" : on ? "on" : "off";
    } finally {
      await this.close();
    }
  }

  async thinking(kind: Report["thinking"]): Promise<void> {
    if (kind === "level" && this.findings.found("thinkingLevel")) {
      await this.dismiss();
      await this.locate.click("thinkingLevel", this.opts());
      try {
        await this.findings.look(["levelOption"]);
      } finally {
        await this.close();
      }
    } else if (kind === "budget" && this.findings.found("thinkingToggle")) {
      if (!(await this.setSwitch("thinkingToggle", true)))
        return this.findings.skip(["manualBudgetToggle", "budgetInput"], "thinking stayed off");
      if (!(await this.findings.look(["manualBudgetToggle"]))) return;
      if (!(await this.setSwitch("manualBudgetToggle", true)))
        return this.findings.skip(["budgetInput"], "the manual budget switch stayed off");
      await this.findings.look(["budgetInput"]);
    }
  }

  async systemInstructions(): Promise<void> {
    if (
      !this.findings.found("systemInstructionsOpen") &&
      !(await this.locate.has("systemInstructions"))
    )
      return this.findings.skip(["systemInstructions"], "its opener is missing");
    await this.dismiss();
    try {
      // The driver's own read opens the field; its text stays out of the report.
      await this.ui.settings.readSystemInstruction();
      this.findings.ok("systemInstructions");
    } catch (err) {
      if (!(err instanceof SelectorNotFoundError)) throw err;
      this.findings.missing("systemInstructions", err.message);
    } finally {
      if (await this.locate.clickIfPresent("dialogClose")) this.findings.ok("dialogClose");
      await this.close();
    }
  }

  /** Google Search (and the other tools that block it) off, function calling on, the dialog opened and closed. */
  async declarations(): Promise<void> {
    const dialog: SelectorName[] = ["declarationsEditor", "declarationsSave"];
    if (!this.findings.found("functionCalling") || !this.findings.found("functionEdit"))
      return this.findings.skip(dialog, "function calling or its edit button is missing");
    await this.dismiss();
    for (const blocker of ["googleSearch", "urlContext", "codeExecution"] as const)
      if (await this.switchOn(blocker)) await this.setSwitch(blocker, false);
    if (!(await this.setSwitch("functionCalling", true)))
      return this.findings.skip(dialog, "the function calling switch stayed off");
    // As the driver does: a click the page re-rendered away (the panel redraws when a switch
    // changes) is pressed again until the dialog shows, within the settle time; a dialog that
    // never opens is then reported by the look below.
    await this.locate
      .clickUntil(
        "functionEdit",
        () => this.locate.has("declarationsEditor"),
        "the declarations dialog to open",
        this.opts(),
      )
      .catch((err: unknown) => {
        if (!(err instanceof TimeoutError)) throw err;
      });
    try {
      await this.findings.look(dialog);
    } finally {
      if (await this.locate.clickIfPresent("dialogClose")) this.findings.ok("dialogClose");
      await this.close();
    }
  }

  private opts() {
    return { timeoutMs: this.settleMs };
  }

  private async switchOn(name: SelectorName): Promise<boolean> {
    return (await this.locate.values(name, "aria-checked"))[0] === "true";
  }

  /** Turns a switch on or off through the driver's click; false when it does not change. */
  private async setSwitch(name: SelectorName, on: boolean): Promise<boolean> {
    if ((await this.switchOn(name)) === on) return true;
    await this.locate.click(name, this.opts());
    return waitFor(async () => (await this.switchOn(name)) === on, {
      what: `the ${name} switch`,
      ...this.opts(),
    }).catch((err: unknown) => {
      if (err instanceof TimeoutError) return false;
      throw err;
    });
  }
}
