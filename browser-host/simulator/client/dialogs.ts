import { h } from "./h.js";

/*
 * Overlays in `div.cdk-overlay-container`, as Angular CDK renders dialogs, menus and listboxes:
 * a backdrop plus a pane; a click on the backdrop closes menus but not dialogs. Panes stack in
 * document order, the last on top. Snack bars are panes without a backdrop that block nothing.
 */

export type PaneKind = "menu" | "dialog" | "listbox" | "first-run" | "snackbar";

function overlay(): HTMLElement {
  return document.querySelector<HTMLElement>(".cdk-overlay-container")!;
}

/** The backdrop stays while any pane that blocks the page is open. */
function dropBackdropIfUnused(): void {
  if (!overlay().querySelector('.cdk-overlay-pane:not([data-kind="snackbar"])'))
    overlay().querySelector(".cdk-overlay-backdrop")?.remove();
}

export function closeOverlays(kind?: PaneKind): void {
  for (const pane of overlay().querySelectorAll(
    `.cdk-overlay-pane${kind ? `[data-kind="${kind}"]` : ""}`,
  ))
    pane.remove();
  dropBackdropIfUnused();
}

export function closePane(pane: Element): void {
  pane.remove();
  dropBackdropIfUnused();
}

/** The kind of an open pane, as openPane recorded it. */
export const paneKind = (pane: Element) => pane.getAttribute("data-kind") as PaneKind;

/**
 * Opens a pane on top. By default it replaces the open panes of its kind; `stack` keeps them
 * (first-run overlays pile up). Snack bars get no backdrop; a menu's may be transparent
 * (Material's `cdk-overlay-transparent-backdrop`), which still takes every click.
 */
export function openPane(
  kind: PaneKind,
  content: HTMLElement,
  options: { stack?: boolean; transparentBackdrop?: boolean } = {},
): HTMLElement {
  if (!options.stack) closeOverlays(kind);
  if (kind !== "snackbar" && !overlay().querySelector(".cdk-overlay-backdrop"))
    overlay().append(
      h("div", {
        class: `cdk-overlay-backdrop cdk-overlay-backdrop-showing${options.transparentBackdrop ? " cdk-overlay-transparent-backdrop" : ""}`,
      }),
    );
  const pane = h("div", { class: "cdk-overlay-pane", "data-kind": kind }, content);
  overlay().append(pane);
  return pane;
}

/** A Material dialog: `tag` is `mat-mdc-dialog-container` before 2026-08, then `mat-dialog-container`. */
export function dialogContainer(
  tag: string,
  title: string,
  body: HTMLElement,
  actions: HTMLElement[],
): HTMLElement {
  return h(
    tag,
    { class: "mat-mdc-dialog-container", role: "dialog", "aria-modal": "true" },
    h(
      "div",
      { class: "mat-mdc-dialog-inner-container" },
      h("h2", { class: "mat-mdc-dialog-title" }, title),
      h("mat-dialog-content", {}, body),
      h("mat-dialog-actions", {}, ...actions),
    ),
  );
}

export function dialog(
  title: string,
  body: HTMLElement,
  actions: HTMLElement[],
  tag = "mat-mdc-dialog-container",
): HTMLElement {
  return openPane("dialog", dialogContainer(tag, title, body, actions));
}
