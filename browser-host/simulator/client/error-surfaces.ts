import type { ModelTurnView } from "./chat.js";
import { closePane, openPane } from "./dialogs.js";
import { h } from "./h.js";
import { toast } from "./shell.js";

/*
 * Where a failed run shows. Before 2026-08 (facts §1.2, §4): toast `div.toast.error`, quota
 * callout `ms-callout.error-callout .message`, turn text in `.model-error`. 2026-08 (facts §9
 * "Error surfaces"): `[role=alert]` elements, `mat-snack-bar-container` and `ms-error-message` in
 * the model turn, with the texts below.
 */

export const PERMISSION_TEXT = "Failed to generate content: permission denied. Please try again.";
export const INTERNAL_TEXT = "An internal error has occurred.";
/** §9 quotes only its start, "You have reached a rate limit. Set up billing…"; the rest is ours. */
export const RATE_LIMIT_TEXT =
  "You have reached a rate limit. Set up billing to raise your limits, or try again later.";
export const BLOCKED_TITLE = "Content blocked";
export const BLOCKED_DETAIL = "Prohibited content";
const OLD_RATE_LIMIT_TEXT = "You've reached your rate limit. Please try again later.";

const isQuota = (status: number, body: string) => status === 429 && /exhausted|quota/i.test(body);

export function showClassicFailure(view: ModelTurnView, status: number, body: string): void {
  if (status === 403) {
    toast("error", PERMISSION_TEXT);
    view.error(INTERNAL_TEXT);
  } else if (isQuota(status, body)) {
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
    view.error(OLD_RATE_LIMIT_TEXT);
  } else if (status === 429) {
    view.error(OLD_RATE_LIMIT_TEXT);
  } else {
    view.error(INTERNAL_TEXT);
  }
}

/**
 * A Material snack bar at the bottom; a new one replaces the last unless `stack` (upload
 * refusals, one per file, all readable), each goes after 10 s.
 */
export function snackBar(message: string, options: { stack?: boolean } = {}): void {
  const dismiss = h(
    "button",
    { class: "mat-mdc-snack-bar-action ms-button-borderless" },
    "Dismiss",
  );
  const pane = openPane(
    "snackbar",
    h(
      "mat-snack-bar-container",
      { class: "mat-mdc-snack-bar-container" },
      h("div", { class: "mat-mdc-snack-bar-label", role: "alert" }, message),
      dismiss,
    ),
    options,
  );
  dismiss.addEventListener("click", () => closePane(pane));
  setTimeout(() => closePane(pane), 10_000);
}

/** Quota: an alert above the prompt box that stays until the next run, and the turn's error. */
function quotaAlert(): void {
  document
    .querySelector("footer")!
    .before(
      h(
        "div",
        { class: "quota-alert", role: "alert" },
        h("span", { class: "material-symbols-outlined" }, "error"),
        h("span", { class: "message" }, RATE_LIMIT_TEXT),
        h("button", { class: "ms-button-borderless" }, "Set up billing"),
      ),
    );
}

export function clearFailureBanners(): void {
  document.querySelector("ms-callout.error-callout")?.remove();
  document.querySelector(".quota-alert")?.remove();
}

export function showFailure0826(view: ModelTurnView, status: number, body: string): void {
  if (status === 403) {
    snackBar(PERMISSION_TEXT);
    view.error(INTERNAL_TEXT);
  } else if (isQuota(status, body)) {
    quotaAlert();
    view.error(RATE_LIMIT_TEXT);
  } else if (status === 429) {
    snackBar(RATE_LIMIT_TEXT);
    view.error(RATE_LIMIT_TEXT);
  } else {
    view.error(INTERNAL_TEXT);
  }
}
