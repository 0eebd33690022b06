import type { Browser } from "puppeteer-core";
import { launchBrowser } from "../browser-launch.js";
import type { HostConfig } from "../config.js";
import { AiStudioPage } from "../driver/aistudio-page.js";
import {
  loadSelectorOverrides,
  withOverrides,
  type SelectorCatalog,
} from "../driver/selector-overrides.js";
import { SELECTORS } from "../driver/selectors.js";
import { HOST_VERSION } from "../host.js";
import type { LaneHooks } from "../lane.js";
import type { Logger } from "../log.js";
import { ProfileSession } from "../profile/profile-session.js";
import { journal } from "../snapshots.js";
import { capturePage, defaultBundleDir, usableOutDir, writeBundle } from "./bundle.js";
import { CONCEPTS, ruleOf } from "./concepts.js";
import { conceptRows } from "./findings.js";
import type { SelfCheckOptions } from "./options.js";
import { PageProbe, type ProbeOutcome } from "./probe.js";
import { redactText } from "./redact.js";
import { verdictOf, type Report } from "./report.js";
import { renderReport } from "./report-text.js";
import { trialRun } from "./trial-run.js";

/*
 * `npm run self-check` from settings to report: the host's profile, Chromium launched as the
 * host launches it, one page walked by PageProbe, `--run`'s job on a lane of its own, then the
 * bundle. Everything before the page exists (selector file, profile, proxy, Chromium, egress)
 * is a SetupError: the host would not start either, and the fix is in the settings.
 */

export class SetupError extends Error {
  override readonly name = "SetupError";
}

async function setup<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new SetupError(`${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** A URL as it may be shown: no credentials, no query. */
function shown(raw: string): string {
  const url = new URL(raw);
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/$/, "");
}

export async function selfCheck(
  config: HostConfig,
  options: SelfCheckOptions,
  log: Logger,
  logLines: string[],
): Promise<Report> {
  const catalog: SelectorCatalog = await setup("SELECTORS_FILE", () =>
    config.SELECTORS_FILE ? withOverrides(loadSelectorOverrides(config.SELECTORS_FILE)) : SELECTORS,
  );
  const bundleDir = options.out ?? defaultBundleDir(config.SNAPSHOT_DIR);
  if (options.out !== null && !(await usableOutDir(options.out)))
    throw new SetupError(`--out ${options.out}: not a new or empty directory`);
  const profile = new ProfileSession(config, log);
  await setup("the login profile", () => profile.open());
  let browser: Browser | null = null;
  try {
    const launched = await setup("starting Chromium as the host does", () =>
      launchBrowser(config, profile, log),
    );
    browser = launched.browser;
    const hooks: LaneHooks = {
      prepare: (page) => profile.preparePage(page),
      onCrash: () => undefined,
    };
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const record = journal(page);
    await hooks.prepare(page);
    const ui = new AiStudioPage(page, config.AISTUDIO_URL, config.PAGE_TIMEOUT_MS, log, catalog, {
      acceptTerms: config.ACCEPT_TERMS,
    });
    const probe = new PageProbe(ui, config.PAGE_TIMEOUT_MS, log);
    const { models, ...outcome } = await probe.walk();
    let run: Report["run"] = null;
    if (options.run && outcome.signIn.state === "signed-in") {
      const trial = await trialRun(browser, config, log, hooks, catalog, {
        currentModel: outcome.currentModel,
        models,
      });
      run = trial.result;
      if (trial.findings)
        probe.findings.merge(
          trial.findings,
          CONCEPTS.filter((c) => ruleOf(c).afterRun),
        );
    }
    const capture = await capturePage(page, ui.locate, record);
    const partial = {
      version: 1 as const,
      hostVersion: HOST_VERSION,
      at: new Date().toISOString(),
      target: {
        aistudioUrl: shown(config.AISTUDIO_URL),
        profile: profile.name,
        proxy: profile.proxy?.display ?? null,
        chromium: `${launched.chromium.path} (${launched.chromium.source})`,
        headless: config.HEADLESS,
        selectorsFile: config.SELECTORS_FILE ?? null,
        overrides: CONCEPTS.filter((c) => catalog[c].candidates.some((x) => x.source)),
      },
      ...withRemedy(outcome, profile, config),
      concepts: conceptRows(catalog, probe.findings),
      run,
    };
    const files = {
      "screenshot.png": capture.screenshot,
      "dom.html": capture.dom,
      "console.log": capture.console.join("\n"),
    };
    const names = ["report.txt", "report.json", ...Object.keys(files), "self-check.log"].filter(
      (n) => !(n in files) || files[n as keyof typeof files] !== null,
    );
    const draft = { ...partial, bundle: { dir: bundleDir, files: names } };
    const report: Report = { ...draft, ...verdictOf(draft) };
    await writeBundle(bundleDir, options.out === null, {
      "report.txt": renderReport(report),
      "report.json": JSON.stringify(report, null, 2),
      ...files,
      // The log as it was when the report was made; redacted as any text in the bundle.
      "self-check.log": logLines.map(redactText).join("\n"),
    });
    return report;
  } finally {
    await browser?.close().catch(() => undefined);
    await profile.close();
  }
}

/** The sign-in state with what to do about it. */
function withRemedy(
  outcome: Omit<ProbeOutcome, "models">,
  profile: ProfileSession,
  config: HostConfig,
): Omit<ProbeOutcome, "models"> {
  const via = profile.proxy
    ? `through the same proxy (PROXY_URL=${profile.proxy.display})`
    : "through the proxy the host uses, if any (PROXY_URL)";
  const remedy =
    outcome.signIn.state === "signed-out"
      ? profile.name
        ? `The login in profile '${profile.name}' is no longer valid here: 'npm run auth -- login ${profile.name}' ${via}, then restart the host.`
        : `No login profile is in use (PROFILE, or an active one in AUTH_DIR): make one with 'npm run auth -- login <profile>' ${via} and set PROFILE.`
      : outcome.signIn.state === "region-blocked"
        ? `AI Studio is not offered where ${config.PROXY_URL ? "the proxy" : "this machine"} reaches the internet: use a PROXY_URL that exits in a supported country.`
        : null;
  return { ...outcome, signIn: { ...outcome.signIn, remedy } };
}
