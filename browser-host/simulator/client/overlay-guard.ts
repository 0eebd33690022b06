import { closePane, paneKind, type PaneKind } from "./dialogs.js";

/*
 * 2026-08: an open overlay blocks the page (facts §9 "Temporary chat": the menu "must be closed
 * (Escape) or its overlay blocks later clicks"; "First-run overlays … swallow clicks"). A mouse
 * click would land on the backdrop; drivers click through the DOM (`element.click()`), which
 * skips hit-testing, so the page enforces it here, in the capture phase ahead of every other
 * handler: while a dialog, menu, listbox or first-run overlay is open, a click outside the
 * topmost one does nothing. A click on the backdrop closes a menu or listbox on top and does
 * nothing else; dialogs ignore it. Escape closes the topmost menu, listbox or dialog; first-run
 * overlays stay until their own buttons dismiss them. Snack bars block nothing; the cookie bar
 * blocks what it covers, the footer.
 */

const CLOSES_ON_BACKDROP = new Set<PaneKind>(["menu", "listbox"]);
const CLOSES_ON_ESCAPE = new Set<PaneKind>(["menu", "listbox", "dialog"]);

function panes(): Element[] {
  return [...document.querySelectorAll(".cdk-overlay-container > .cdk-overlay-pane")];
}

function topmostBlocking(): Element | null {
  return panes().findLast((p) => paneKind(p) !== "snackbar") ?? null;
}

/** Inside the topmost blocking pane, or a pane stacked above it (a snack bar). */
function reachable(target: Element, top: Element): boolean {
  const all = panes();
  const pane = target.closest(".cdk-overlay-pane");
  return pane !== null && all.indexOf(pane) >= all.indexOf(top);
}

export function installOverlayGuard(): void {
  document.addEventListener(
    "click",
    (event) => {
      const top = topmostBlocking();
      const target = event.target as Element;
      const bar = document.querySelector(".glue-cookie-notification-bar");
      if (bar?.contains(target)) return;
      // The cookie bar is fixed over the bottom of the page: what it covers (the footer with the
      // prompt box and Run) takes no click until it is dismissed, as a mouse click would land on
      // the bar instead (facts §9: any first-run overlay can swallow clicks).
      const covered = bar !== null && target.closest("footer") !== null;
      if (!covered && (!top || reachable(target, top))) return;
      event.stopImmediatePropagation();
      event.preventDefault();
      if (!top) return;
      if (
        target.classList.contains("cdk-overlay-backdrop") &&
        CLOSES_ON_BACKDROP.has(paneKind(top))
      )
        closePane(top);
    },
    true,
  );
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const top = topmostBlocking();
    if (top && CLOSES_ON_ESCAPE.has(paneKind(top))) closePane(top);
  });
}
