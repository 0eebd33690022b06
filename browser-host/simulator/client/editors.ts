import { closeOverlays, dialog } from "./dialogs.js";
import { h } from "./h.js";
import { checkDeclarations, checkSchema, normaliseTypes } from "./schema-check.js";
import type { AppState } from "./state.js";
import { uiNames } from "./ui-names.js";

/*
 * The function declarations dialog and the structured output schema editor (facts §1.2
 * "Function calling", "Structured output"): an `ms-text-editor textarea`, Reset, Close
 * (`data-test-close-button`) and Save — `aria-label="Save the current function declarations"`
 * and, for the schema, "Save the current schema". A JSON error shows in the dialog's
 * `[role=alert]` and keeps it open. 2026-08 also refuses keys outside the wire's subset
 * (schema-check.ts); earlier generations keep what they are given.
 */

export function openDeclarations(state: AppState, kind: "functions" | "schema"): void {
  const latest = state.ui === "2026-08";
  const editor = h("textarea", {
    class: "code-editor",
    rows: 14,
    spellcheck: "false",
    "aria-label": kind === "functions" ? "Function declarations" : "JSON schema",
  }) as HTMLTextAreaElement;
  editor.value = JSON.stringify(
    kind === "functions" ? state.functions : (state.schema ?? { type: "object", properties: {} }),
    null,
    2,
  );
  const error = h("div", { class: "editor-error", role: "alert" });
  const save = h(
    "button",
    {
      class: "ms-button-primary",
      "aria-label":
        kind === "functions" ? "Save the current function declarations" : "Save the current schema",
    },
    "Save",
  );
  save.addEventListener("click", () => {
    try {
      const value = JSON.parse(editor.value);
      if (latest) {
        const problem = kind === "functions" ? checkDeclarations(value) : checkSchema(value, "");
        // The dialog stays open and nothing is saved until the JSON is in the subset.
        if (problem !== null) return void (error.textContent = problem);
        if (kind === "functions") state.functions = normaliseTypes(value);
        else state.schema = normaliseTypes(value);
      } else if (kind === "functions") {
        if (!Array.isArray(value) || value.some((f) => typeof f?.name !== "string"))
          throw new Error("Expected a list of declarations, each with a name");
        state.functions = value;
      } else {
        if (typeof value !== "object" || value === null || Array.isArray(value))
          throw new Error("Expected a JSON schema object");
        state.schema = value;
      }
      closeOverlays("dialog");
    } catch (err) {
      error.textContent = `Invalid JSON: ${(err as Error).message}`;
    }
  });
  const reset = h(
    "button",
    {
      class: "ms-button-borderless",
      "aria-label": kind === "functions" ? "Reset the function declarations" : "Reset the schema",
    },
    "Reset",
  );
  reset.addEventListener(
    "click",
    () =>
      (editor.value =
        kind === "functions" ? "[]" : '{\n  "type": "object",\n  "properties": {}\n}'),
  );
  const body =
    kind === "functions"
      ? h(
          "div",
          {},
          h(
            "ms-tab-group",
            {},
            h("button", { role: "tab", "aria-selected": "true" }, "Code Editor"),
            h("button", { role: "tab", "aria-selected": "false" }, "Visual Editor"),
          ),
          h("ms-text-editor", {}, editor),
          error,
        )
      : h("div", {}, h("ms-text-editor", {}, editor), error);
  dialog(
    kind === "functions" ? "Function declarations" : "Structured output",
    body,
    [
      reset,
      h("button", { class: "ms-button-borderless", "data-test-close-button": true }, "Close"),
      save,
    ],
    uiNames(state).dialogTag,
  );
}
