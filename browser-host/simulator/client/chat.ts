import { BLOCKED_DETAIL, BLOCKED_TITLE } from "./error-surfaces.js";
import { h, markdown } from "./h.js";
import type { AppState } from "./state.js";
import { uiNames } from "./ui-names.js";

/*
 * Chat turns (facts §1.2 "Chat area and turns"). Like the real page, only the last turns keep
 * their content: earlier ones are virtualised to a fixed-height placeholder, which is why a
 * driver must read answers from the network and not from here. A failed turn shows `.model-error`
 * before 2026-08 and `ms-error-message[role=alert]` in 2026-08 (facts §9 "Error surfaces").
 */

let chunkIds = 0;
const VISIBLE_TURNS = 2;

export interface ModelTurnView {
  turn: HTMLElement;
  addThought(text: string): void;
  addText(text: string): void;
  addFunctionCall(name: string, args: unknown): void;
  /** An image the model made (thought previews are not shown). */
  addImage(mimeType: string, data: string): void;
  error(message: string): void;
  /** The prompt was blocked: "No Content" before 2026-08 (§4), "Content blocked" after (§9). */
  blocked(): void;
  finish(seconds: number): void;
}

function container(): HTMLElement {
  return document.querySelector<HTMLElement>(".chat-session-content")!;
}

export function renderZeroState(): void {
  const host = container();
  if (host.querySelector("ms-chat-turn")) return;
  host.replaceChildren(
    h(
      "div",
      { class: "chat-view-container zero-state" },
      h(
        "ms-zero-state",
        {},
        h("h2", {}, "Welcome to AI Studio"),
        h("ms-prompt-suggestion-chip", {}, "Explain how AI works"),
      ),
    ),
  );
}

function turnShell(role: "user" | "model"): {
  turn: HTMLElement;
  content: HTMLElement;
  footer: HTMLElement;
} {
  const content = h("div", { class: "turn-content" });
  const footer = h("div", { class: "turn-footer" });
  const turn = h(
    "ms-chat-turn",
    {},
    h(
      "div",
      { class: `chat-turn-container ${role} render` },
      h(
        "div",
        { class: "actions-container" },
        h(
          "ms-chat-turn-options",
          {},
          h("button", { "aria-label": "Open options", class: "ms-button-icon" }, "⋮"),
        ),
      ),
      h(
        "div",
        { class: `${role}-prompt-container`, "data-turn-role": role === "user" ? "User" : "Model" },
        h("div", { class: "author-label" }, role === "user" ? "User" : "Model"),
        content,
      ),
      footer,
    ),
  );
  const host = container();
  host.querySelector(".zero-state")?.remove();
  host.append(turn);
  virtualise();
  return { turn, content, footer };
}

/** Replaces the body of every turn but the last few with a placeholder, as the real list does. */
function virtualise(): void {
  const turns = [...container().querySelectorAll("ms-chat-turn")];
  for (const turn of turns.slice(0, Math.max(0, turns.length - VISIBLE_TURNS))) {
    const content = turn.querySelector(".turn-content");
    if (content && !content.hasAttribute("data-virtualised")) {
      content.setAttribute("data-virtualised", "");
      content.replaceChildren(h("div", { style: "height: 204px" }));
    }
  }
  container().parentElement?.scrollTo({ top: 1e9 });
}

/** A user turn: a chunk per file (its name), then the text's chunk when there is text. */
export function addUserTurn(text: string, fileNames: string[] = []): void {
  const { content } = turnShell("user");
  for (const name of fileNames)
    content.append(
      h(
        "ms-prompt-chunk",
        { id: `chunk-${++chunkIds}` },
        h("ms-file-chunk", {}, h("span", { class: "file-name" }, name)),
      ),
    );
  if (text !== "" || fileNames.length === 0)
    content.append(
      h(
        "ms-prompt-chunk",
        { id: `chunk-${++chunkIds}` },
        h("ms-text-chunk", {}, h("ms-cmark-node", { class: "cmark-node" }, text)),
      ),
    );
}

/** 2026-08's failure in a turn: `ms-error-message[role=alert]`, an icon and the words. */
const failure = (icon: string, ...words: Array<HTMLElement | string>) =>
  h(
    "ms-error-message",
    { role: "alert" },
    h("span", { class: "material-symbols-outlined" }, icon),
    " ",
    ...words,
  );

export function addModelTurn(state: AppState): ModelTurnView {
  const names = uiNames(state);
  const latest = state.ui === "2026-08";
  const { turn, content, footer } = turnShell("model");
  const chunk = h("ms-prompt-chunk", { id: `chunk-${++chunkIds}` });
  const loading = h("ms-chat-loading-indicator", {}, "…");
  content.append(chunk, loading);
  let thoughtBody: HTMLElement | null = null;
  let textNode: HTMLElement | null = null;
  let text = "";

  const view: ModelTurnView = {
    turn,
    addThought(piece) {
      if (!thoughtBody) {
        thoughtBody = h("div", { class: "mat-expansion-panel-body" });
        chunk.prepend(
          h(
            names.thoughtHost,
            {},
            h(
              "mat-expansion-panel",
              { class: "thought-panel" },
              h(
                "mat-expansion-panel-header",
                {},
                h("span", { class: "thought-header" }, names.thoughtHeader),
                h("span", { class: "thought-collapsed-text" }, "Expand to view model thoughts"),
              ),
              thoughtBody,
            ),
          ),
        );
      }
      thoughtBody.textContent += piece;
    },
    addText(piece) {
      if (!textNode) {
        textNode = h("ms-cmark-node", { class: "cmark-node" });
        chunk.append(h("ms-text-chunk", {}, textNode));
      }
      text += piece;
      textNode.innerHTML = markdown(text);
      container().parentElement?.scrollTo({ top: 1e9 });
    },
    addFunctionCall(name, args) {
      chunk.append(
        h(
          "ms-function-call-chunk",
          {},
          h(
            "ms-code-block",
            { icon: "function" },
            h(
              "mat-panel-title",
              {},
              h("span", { class: "material-symbols-outlined" }, "function"),
              h("span", {}, name),
            ),
            h("pre", {}, h("code", {}, JSON.stringify(args, null, 2))),
          ),
        ),
      );
    },
    addImage(mimeType, data) {
      chunk.append(
        h(
          "ms-image-chunk",
          {},
          h("img", {
            class: "generated-image",
            alt: "Generated image",
            src: `data:${mimeType};base64,${data}`,
          }),
        ),
      );
      textNode = null;
      text = "";
    },
    error(message) {
      loading.remove();
      content.append(
        latest
          ? failure("error", h("span", { class: "error-text" }, message))
          : h(
              "div",
              { class: "model-error" },
              h("span", { class: "material-symbols-outlined" }, "error"),
              " ",
              message,
            ),
      );
    },
    blocked() {
      loading.remove();
      content.append(
        latest
          ? failure(
              "block",
              h("span", { class: "error-title" }, BLOCKED_TITLE),
              " · ",
              h("span", { class: "error-detail" }, BLOCKED_DETAIL),
            )
          : h("div", { class: "model-error", title: "Safety" }, "No Content"),
      );
    },
    finish(seconds) {
      loading.remove();
      footer.append(h("span", { class: "model-run-time-pill" }, `${seconds.toFixed(1)}s`));
      const rerun = h("button", { "aria-label": "Rerun this turn", name: "rerun-button" }, "↻");
      turn.querySelector(".actions-container")!.append(
        h("button", { class: "toggle-edit-button", "aria-label": "Edit" }, "✎"),
        // 2026-08: each turn has its own run-button host (single-turn rerun, facts §1.2 [U10]),
        // so an unscoped `ms-run-button button[type=submit]` finds this one first.
        latest ? h(names.runHost, {}, (rerun.setAttribute("type", "submit"), rerun)) : rerun,
      );
    },
  };
  return view;
}

export function clearChat(): void {
  container().replaceChildren();
  renderZeroState();
}
