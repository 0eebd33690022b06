import { h } from "./h.js";

/*
 * Overlays in `div.cdk-overlay-container`, as Angular CDK renders dialogs, menus and listboxes:
 * a backdrop plus a pane; a click on the backdrop closes menus but not dialogs.
 */

function overlay(): HTMLElement {
  return document.querySelector<HTMLElement>(".cdk-overlay-container")!;
}

export function closeOverlays(kind?: "menu" | "dialog" | "listbox"): void {
  for (const pane of overlay().querySelectorAll(
    `.cdk-overlay-pane${kind ? `[data-kind="${kind}"]` : ""}`,
  ))
    pane.remove();
  if (!overlay().querySelector(".cdk-overlay-pane"))
    overlay().querySelector(".cdk-overlay-backdrop")?.remove();
}

export function openPane(kind: "menu" | "dialog" | "listbox", content: HTMLElement): HTMLElement {
  closeOverlays(kind);
  if (!overlay().querySelector(".cdk-overlay-backdrop"))
    overlay().append(h("div", { class: "cdk-overlay-backdrop cdk-overlay-backdrop-showing" }));
  const pane = h("div", { class: "cdk-overlay-pane", "data-kind": kind }, content);
  overlay().append(pane);
  return pane;
}

export function dialog(title: string, body: HTMLElement, actions: HTMLElement[]): HTMLElement {
  return openPane(
    "dialog",
    h(
      "mat-mdc-dialog-container",
      { class: "mat-mdc-dialog-container", role: "dialog", "aria-modal": "true" },
      h(
        "div",
        { class: "mat-mdc-dialog-inner-container" },
        h("h2", { class: "mat-mdc-dialog-title" }, title),
        h("mat-dialog-content", {}, body),
        h("mat-dialog-actions", {}, ...actions),
      ),
    ),
  );
}
