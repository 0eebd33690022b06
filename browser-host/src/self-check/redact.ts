/*
 * Redaction for the self-check's bug-report bundle: what is pasted into an issue must not carry
 * the login. The page is redacted in place before its screenshot and DOM are taken (input and
 * textarea values, user content, e-mail addresses, anything that looks like a token, URL
 * queries), and the text is redacted again on the way to disk, scripts removed. Cookies,
 * localStorage and headers are never read for the bundle in the first place.
 */

/** Patterns for secrets in free text, as [source, flags, replacement] so the page can use them too. */
export const SECRET_PATTERNS: Array<[string, string, string]> = [
  // Credentials in a URL: scheme://user:password@host
  ["([a-z][a-z0-9+.-]*://)[^\\s/@:]+:[^\\s/@]+@", "gi", "$1[redacted]@"],
  ["[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}", "g", "[email]"],
  ["\\b(Bearer|Basic)\\s+[A-Za-z0-9._~+/=-]+", "gi", "$1 [redacted]"],
  // Google's session cookies by name, wherever one is written out.
  ["\\b((?:__Secure-|__Host-)?(?:[0-9A-Z]*SID[A-Z]*|NID|AEC)=)[^;\\s\"'&<]+", "g", "$1[redacted]"],
  ["\\beyJ[\\w-]{8,}\\.[\\w-]{8,}\\.[\\w-]{8,}", "g", "[token]"],
  ["\\b(?:ya29\\.|AIza|sk-|1//)[\\w-]{16,}", "g", "[token]"],
  // A long run of letters and digits (both) is a token, a key or an id, never a label.
  ["(?=[A-Za-z0-9_+/=-]*\\d)(?=[A-Za-z0-9_+/=-]*[A-Za-z])[A-Za-z0-9_+/=-]{32,}", "g", "[token]"],
  ['(Google Account:\\s*)[^"<\\n]+', "g", "$1[redacted]"],
];

export function redactText(text: string): string {
  let out = text;
  for (const [source, flags, replacement] of SECRET_PATTERNS)
    out = out.replace(new RegExp(source, flags), replacement);
  return out;
}

/** The DOM as text, for the bundle: scripts emptied, form values and URL queries dropped. */
export function redactHtml(html: string): string {
  const out = html
    .replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, "$1/* removed */$2")
    .replace(/(<textarea\b[^>]*>)[\s\S]*?(<\/textarea>)/gi, "$1[redacted]$2")
    .replace(/(<input\b[^>]*?\svalue=")[^"]*"/gi, '$1[redacted]"')
    .replace(/(\s(?:src|href|srcset|action|data-src)="[^"?#]*)[?#][^"]*"/gi, '$1?[redacted]"');
  return redactText(out);
}

/**
 * Runs in the page (self-contained): empties inputs and textareas, replaces the text of user
 * content (`userContent` selectors: chat turns, the system instructions card) and applies the
 * secret patterns to every text node and attribute, so the screenshot shows what the DOM keeps.
 */
export function redactPage(patterns: Array<[string, string, string]>, userContent: string[]): void {
  // No named inner functions: a dev build would wrap them in a helper the page does not have.
  const rules = patterns.map(([source, flags, to]) => [new RegExp(source, flags), to] as const);
  for (const field of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
    "input, textarea",
  )) {
    const kind = field instanceof HTMLInputElement ? field.type : "textarea";
    if (["checkbox", "radio", "range", "button", "submit", "reset"].includes(kind)) continue;
    field.value = "";
    field.removeAttribute("value");
    if (field instanceof HTMLTextAreaElement) field.textContent = "";
  }
  for (const css of userContent)
    for (const e of document.querySelectorAll(css)) e.textContent = "[redacted]";
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    if (node.nodeValue)
      node.nodeValue = rules.reduce((acc, [re, to]) => acc.replace(re, to), node.nodeValue);
  for (const e of document.querySelectorAll("*"))
    for (const attr of [...e.attributes]) {
      const value = rules.reduce((acc, [re, to]) => acc.replace(re, to), attr.value);
      if (value !== attr.value) e.setAttribute(attr.name, value);
    }
}
