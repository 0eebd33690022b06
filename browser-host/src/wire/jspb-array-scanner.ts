/**
 * Finds the complete elements of a growing JSON array-of-arrays, `[[e1,e2,…]]`, as the text
 * arrives. AI Studio streams GenerateContent as one JSON document with no delimiters (facts
 * §3.3), so an element is complete when the scanner is back at depth 2 after it. Strings are
 * tracked so brackets inside text do not count. A leading `)]}'` line and stray NUL bytes, which
 * some deployments add, are dropped. Each character is looked at once, so a megabyte-long image
 * part costs no more than its length however finely it is split.
 */
export class JspbArrayScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Pieces of the element being scanned, or null between elements. */
  private element: string[] | null = null;
  /** Text held back until it is clear whether the body starts with `)]}'`. */
  private head: string | null = "";
  /** Whether the outer array has been opened and closed again. */
  closed = false;

  /** Feeds more text; returns the JSON texts of the elements it completed. */
  push(input: string): string[] {
    let text = input.includes("\0") ? input.replaceAll("\0", "") : input;
    if (this.head !== null) {
      const head = (this.head + text).trimStart();
      if (head.length < 4 && ")]}'".startsWith(head)) {
        this.head = head;
        return [];
      }
      text = head.startsWith(")]}'") ? head.slice(4).replace(/^[^\S\n]*\n?/, "") : head;
      this.head = null;
    }
    const out: string[] = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === 0x5c /* \ */) this.escaped = true;
        else if (ch === 0x22 /* " */) this.inString = false;
      } else if (ch === 0x22) {
        this.inString = true;
      } else if (ch === 0x5b /* [ */ || ch === 0x7b /* { */) {
        if (this.depth === 2) {
          this.element = [];
          from = i;
        }
        this.depth += 1;
      } else if (ch === 0x5d /* ] */ || ch === 0x7d /* } */) {
        this.depth -= 1;
        if (this.depth === 2 && this.element !== null) {
          this.element.push(text.slice(from, i + 1));
          out.push(this.element.join(""));
          this.element = null;
        } else if (this.depth === 0) this.closed = true;
      }
    }
    if (this.element !== null) this.element.push(text.slice(from));
    return out;
  }
}
