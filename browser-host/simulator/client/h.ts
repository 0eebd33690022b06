/** A small element builder: `h("button", { "aria-label": "Run", class: "x" }, "Run")`. */
export type Child = Node | string | null | undefined | false;

export function h(
  tag: string,
  attrs: Record<string, string | number | boolean | null | undefined> = {},
  ...children: Child[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

export function $(selector: string, root: ParentNode = document): HTMLElement | null {
  return root.querySelector<HTMLElement>(selector);
}

/** An Angular Material slide toggle as AI Studio renders it (facts §1.2, "Switch anatomy"). */
export function slideToggle(
  label: string,
  checked: boolean,
  attrs: Record<string, string> = {},
  disabled = false,
): HTMLElement {
  return h(
    "mat-slide-toggle",
    attrs,
    h(
      "div",
      { class: "mdc-form-field" },
      h("button", {
        role: "switch",
        type: "button",
        class: `mdc-switch ${checked ? "mdc-switch--selected" : "mdc-switch--unselected"}${disabled ? " mdc-switch--disabled" : ""}`,
        "aria-label": label,
        "aria-checked": String(checked),
        disabled,
      }),
      h("label", {}, label),
    ),
  );
}

export function setSwitch(button: HTMLElement, checked: boolean): void {
  button.setAttribute("aria-checked", String(checked));
  button.classList.toggle("mdc-switch--selected", checked);
  button.classList.toggle("mdc-switch--unselected", !checked);
}

/** Escapes text and renders the bits of markdown the simulator's answers use. */
export function markdown(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return escaped
    .split(/\n{2,}/)
    .map((block) => {
      const html = block.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>").replace(/\n/g, "<br>");
      return /^\d+\. /.test(block)
        ? `<ol><li>${html.replace(/<br>\d+\. /g, "</li><li>").replace(/^\d+\. /, "")}</li></ol>`
        : `<p>${html}</p>`;
    })
    .join("");
}
