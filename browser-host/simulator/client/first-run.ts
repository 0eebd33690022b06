import { FIRST_RUN_OVERLAYS, type FirstRunItem, type FirstRunOverlay } from "../boot-config.js";
import { closePane, dialogContainer, openPane } from "./dialogs.js";
import { h } from "./h.js";
import { readPreferences, writePreference } from "./state.js";

/*
 * 2026-08 first-run overlays (facts §9 "First-run overlays", §1.1 "First-run dialogs"): on a
 * fresh profile any of `ms-g1-welcome-dialog`, a guided tour, a cookie bar, `ms-tos-disclaimer`
 * and the "An updated flow for using Gemini in your apps" dialog may sit over the page, some
 * only a moment after it is ready, and all but the cookie bar swallow clicks (overlay-guard.ts)
 * until dismissed. Each has a flag in `aiStudioUserPreference`: absent = not decided yet, false =
 * still to show, true = dismissed (or not picked for this profile). On load the undecided ones
 * are decided from the server's plan, so a profile keeps its subset across reloads and a
 * dismissal sticks. `warmWelcomeDisplayed` is the real one-shot flag (§2); the others are ours.
 */

const FLAGS: Record<FirstRunOverlay, string> = {
  welcome: "warmWelcomeDisplayed",
  tour: "hasShownGuidedTour",
  cookies: "hasDismissedCookieBar",
  tos: "hasAcceptedTermsOfService",
  "apps-flow": "hasShownAppsFlowDialog",
};

export interface FirstRunHooks {
  /** The welcome's primary button: it dismisses and also switches to a Gemini Pro model. */
  tryGemini(): void;
}

const button = (label: string, cls: string, attrs: Record<string, string> = {}) =>
  h("button", { class: cls, ...attrs }, label);

function onClick(el: HTMLElement, act: () => void): HTMLElement {
  el.addEventListener("click", act);
  return el;
}

/** A first-run dialog: in a blocking pane of its own, stacked on whatever is open. */
function firstRunDialog(content: HTMLElement): HTMLElement {
  return openPane("first-run", content, { stack: true });
}

function welcome(done: () => void, hooks: FirstRunHooks): void {
  // The primary button comes first in the document: a dismisser that presses the first button
  // of a dialog ends up in "Try Gemini", which also changes the model.
  const pane = firstRunDialog(
    h(
      "mat-dialog-container",
      { class: "mat-mdc-dialog-container", role: "dialog", "aria-modal": "true" },
      h(
        "ms-g1-welcome-dialog",
        {},
        h("h2", { class: "mat-mdc-dialog-title" }, "Welcome to Google AI Studio"),
        h("p", {}, "The fastest way to start building with Gemini."),
        h(
          "div",
          { class: "welcome-option" },
          onClick(button("Try Gemini", "ms-button-primary", { "aria-label": "Try Gemini" }), () => {
            done();
            closePane(pane);
            hooks.tryGemini();
          }),
        ),
        onClick(
          button("×", "ms-button-icon close-dialog", { "aria-label": "Close dialog" }),
          () => (done(), closePane(pane)),
        ),
      ),
    ),
  );
}

function tour(done: () => void): void {
  const steps = [
    "Write a prompt here and press Run.",
    "Change the model and its settings in the run settings panel.",
    "Your chats are saved to your Drive.",
  ];
  let step = 0;
  const text = h("p", { class: "tour-text" }, steps[0]!);
  const count = h("span", { class: "tour-count" }, `1 of ${steps.length}`);
  const next = button("Next", "ms-button-primary");
  const pane = firstRunDialog(
    h(
      "ms-guided-tour",
      { role: "dialog", "aria-label": "Guided tour" },
      onClick(
        button("×", "ms-button-icon", { "aria-label": "Close guided tour" }),
        () => (done(), closePane(pane)),
      ),
      text,
      h("div", { class: "tour-actions" }, count, next),
    ),
  );
  next.addEventListener("click", () => {
    if (step === steps.length - 1) return void (done(), closePane(pane));
    step++;
    text.textContent = steps[step]!;
    count.textContent = `${step + 1} of ${steps.length}`;
    if (step === steps.length - 1) next.textContent = "Done";
  });
}

function cookies(done: () => void): void {
  const bar = h(
    "div",
    { class: "glue-cookie-notification-bar", role: "region", "aria-label": "Cookie notification" },
    h("p", {}, "Google uses cookies to deliver and enhance the quality of its services."),
  );
  const dismiss = () => (done(), bar.remove());
  bar.append(
    onClick(
      button("Reject all", "glue-cookie-notification-bar__reject ms-button-borderless"),
      dismiss,
    ),
    onClick(
      button("Accept all", "glue-cookie-notification-bar__accept ms-button-primary"),
      dismiss,
    ),
  );
  document.body.append(bar);
}

function termsOfService(done: () => void): void {
  // The consent box must be ticked before Accept does anything (facts §1.1, 2026-06).
  const consent = h("input", {
    type: "checkbox",
    "aria-label":
      "I consent to the Google APIs Terms of Service and the Gemini API Additional Terms of Service",
  }) as HTMLInputElement;
  const accept = button("Accept", "ms-button-primary", { disabled: "" });
  consent.addEventListener("change", () => accept.toggleAttribute("disabled", !consent.checked));
  const pane = firstRunDialog(
    dialogContainer(
      "mat-dialog-container",
      "Terms of Service",
      h(
        "ms-tos-disclaimer",
        {},
        h(
          "label",
          { class: "mat-mdc-checkbox" },
          consent,
          " I consent to the Google APIs Terms of Service and the Gemini API Additional Terms of Service.",
        ),
        h(
          "label",
          { class: "mat-mdc-checkbox" },
          h("input", { type: "checkbox", "aria-label": "Send me research invitations" }),
          " Send me research invitations.",
        ),
      ),
      [onClick(accept, () => (done(), closePane(pane)))],
    ),
  );
}

function appsFlow(done: () => void): void {
  const pane = firstRunDialog(
    dialogContainer(
      "mat-dialog-container",
      "An updated flow for using Gemini in your apps",
      h("p", {}, "Build apps with Gemini from the new Build page; your chats stay here."),
      [
        button("Learn more", "ms-button-borderless"),
        onClick(button("Got it", "ms-button-primary"), () => (done(), closePane(pane))),
      ],
    ),
  );
}

/** Decides the undecided overlays from the plan, then shows the pending ones on their timers. */
export function scheduleFirstRun(plan: FirstRunItem[], hooks: FirstRunHooks): void {
  const prefs = readPreferences();
  for (const overlay of FIRST_RUN_OVERLAYS)
    if (typeof prefs[FLAGS[overlay]] !== "boolean")
      writePreference(FLAGS[overlay], !plan.some((p) => p.overlay === overlay));
  const pending = readPreferences();
  for (const overlay of FIRST_RUN_OVERLAYS) {
    if (pending[FLAGS[overlay]] !== false) continue;
    const done = () => writePreference(FLAGS[overlay], true);
    const show = {
      welcome: () => welcome(done, hooks),
      tour: () => tour(done),
      cookies: () => cookies(done),
      tos: () => termsOfService(done),
      "apps-flow": () => appsFlow(done),
    }[overlay];
    setTimeout(show, plan.find((p) => p.overlay === overlay)?.delayMs ?? 0);
  }
}
