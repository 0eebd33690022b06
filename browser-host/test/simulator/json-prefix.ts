/**
 * Completes a prefix of JSON text into a document, or returns null when no completion exists
 * (i.e. the prefix is not the start of any valid JSON). Used as the oracle for "every cut of
 * the stream is a prefix of valid JSON": close an open string, finish a cut literal or number,
 * fill a dangling comma or colon, then close every open bracket.
 */
export function completeJsonPrefix(prefix: string): string | null {
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  let unicodeLeft = 0;
  for (const ch of prefix) {
    if (inString) {
      if (unicodeLeft > 0) unicodeLeft -= 1;
      else if (escaped) {
        escaped = false;
        if (ch === "u") unicodeLeft = 4;
      } else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") stack.push(ch);
    else if (ch === "]" || ch === "}") stack.pop();
  }
  let text = prefix;
  if (inString) {
    if (escaped) text = text.slice(0, -1);
    if (unicodeLeft > 0) text = text.slice(0, text.lastIndexOf("\\u"));
    text += '"';
  } else {
    const tail =
      /(-?\d*\.?\d*(?:[eE][+-]?\d*)?|t(?:r(?:ue?)?)?|f(?:a(?:l(?:se?)?)?)?|n(?:u(?:ll?)?)?)$/.exec(
        text,
      )?.[0] ?? "";
    if (tail !== "") {
      const word = ["true", "false", "null"].find((w) => w.startsWith(tail));
      if (word) text += word.slice(tail.length);
      else if (/[-.eE+]$/.test(tail)) text += "0";
    }
  }
  const trimmed = text.trimEnd();
  if (trimmed.endsWith(",")) text = trimmed + (stack.at(-1) === "{" ? '"k":0' : "0");
  else if (trimmed.endsWith(":")) text = trimmed + "0";
  else if (stack.at(-1) === "{" && /[{,]\s*"(?:[^"\\]|\\.)*"$/.test(trimmed)) text = trimmed + ":0";
  for (const open of stack.reverse()) text += open === "[" ? "]" : "}";
  try {
    JSON.parse(text);
    return text;
  } catch {
    return null;
  }
}
