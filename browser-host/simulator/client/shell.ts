import { h } from "./h.js";
import type { AppState } from "./state.js";
import { uiNames } from "./ui-names.js";

/*
 * The page skeleton of facts §1.3 for one UI generation: navbar, toolbar, chat area, the
 * footer prompt box with its Run button, and the right-hand run settings panel (filled by
 * settings.ts). Tag names, classes, aria-* and data-test-* hooks are the real ones; 2026-08
 * adds `formcontrolname="promptText"` and `ms-add-media-button` (facts §9).
 */

let theRunButton: HTMLButtonElement | null = null;

export function renderShell(root: HTMLElement, state: AppState): void {
  const names = uiNames(state);
  const is2025 = state.ui === "2025";
  const latest = state.ui === "2026-08";

  const runButton = is2025
    ? h(
        "button",
        {
          class: "run-button",
          "aria-label": "Run",
          type: "submit",
          disabled: true,
          "aria-disabled": "true",
        },
        h("span", { class: "label" }, "Run"),
      )
    : h(
        "button",
        {
          class: "ms-button-primary ctrl-enter-submits",
          type: "submit",
          disabled: true,
          "aria-disabled": "true",
        },
        h("span", { class: "label" }, "Run"),
        h("span", { class: "shortcut" }, " Ctrl ↵"),
      );

  theRunButton = runButton as HTMLButtonElement;

  const textarea = h("textarea", {
    class: "textarea",
    rows: 1,
    placeholder: names.textareaPlaceholder,
    "aria-label": names.textareaLabel,
    ...(latest ? { formcontrolname: "promptText" } : {}),
  });

  const toolbar = h(
    "ms-toolbar",
    {},
    h("h1", { class: "mode-title" }, "Untitled prompt"),
    h(
      "div",
      { class: "toolbar-right" },
      is2025
        ? h(
            "button",
            {
              class: "ms-button-borderless",
              "aria-label": "System instructions",
              "data-test-si": true,
            },
            "System instructions",
          )
        : null,
      h(
        "button",
        {
          class: "ms-button-icon",
          "aria-label": names.newChatLabel,
          "data-test-clear": "outside",
          disabled: "true",
        },
        is2025 ? "⟳" : "＋",
      ),
      h(
        "button",
        {
          class: "ms-button-icon",
          "aria-label": "View more actions",
          "aria-expanded": "false",
          "aria-haspopup": "menu",
        },
        "⋮",
      ),
    ),
  );

  const promptBox = h(
    names.promptHost,
    {},
    h(
      "div",
      { class: "prompt-box-container" },
      h(
        "div",
        { class: "text-wrapper" },
        h("ms-autosize-textarea", { "data-value": "" }, textarea),
      ),
      latest
        ? h(
            "ms-add-media-button",
            {},
            h(
              "button",
              {
                class: "ms-button-icon",
                "data-test": "selectMediaMenu",
                "aria-label": "Insert images, videos, audio, or files",
              },
              "⊕",
            ),
          )
        : h(
            "ms-add-chunk-menu",
            {},
            h(
              "button",
              {
                class: "ms-button-icon",
                "data-test-id": "add-media-button",
                "aria-label": is2025
                  ? "Insert assets such as images, videos, files, or audio"
                  : "Insert images, videos, audio, or files",
              },
              "⊕",
            ),
          ),
      h(names.runHost, {}, runButton),
    ),
  );

  root.replaceChildren(
    h(
      "ms-navbar",
      {},
      h("a", { href: "/prompts/new_chat", class: "nav-new-chat" }, "Chat"),
      h("ms-settings-menu", {}, h("span", { class: "avatar" }, "S")),
    ),
    h(
      "main",
      { class: "layout-main" },
      h(
        "section",
        { class: "chat-container" },
        toolbar,
        h("div", { class: "incognito-slot" }),
        is2025 ? h("div", { class: "system-instructions-slot" }) : null,
        h(
          "ms-chunk-editor",
          {},
          h("ms-autoscroll-container", {}, h("div", { class: "chat-session-content" })),
        ),
        h("footer", {}, promptBox),
      ),
      h(
        "ms-right-side-panel",
        {},
        h(
          "button",
          { class: "ms-button-icon panel-toggle", "aria-label": "Toggle run settings panel" },
          "⚙",
        ),
        h("ms-run-settings", {}),
      ),
    ),
    h("ms-toast", {}),
  );
}

/** The footer's Run button, whatever its host is called (the rename option changes it). */
export function runButton(): HTMLButtonElement {
  return theRunButton!;
}

export function promptTextarea(): HTMLTextAreaElement {
  return document.querySelector<HTMLTextAreaElement>("footer textarea")!;
}

export function toast(kind: "error" | "warning", message: string): void {
  const host = document.querySelector("ms-toast")!;
  const el = h(
    "div",
    { class: `toast ${kind}`, role: "alert" },
    h("span", { class: "message" }, message),
  );
  host.append(el);
  setTimeout(() => el.remove(), 8000);
}
