import { describe, expect, it } from "vitest";
import { codePartText } from "../../src/driver/code-execution-text.js";

/* Code execution parts as the Markdown the job's text events carry. */

const code = (c: string) => ({
  type: "executable_code" as const,
  language: "python" as const,
  code: c,
});
const result = (output: string, outcome: "ok" | "failed" | "deadline_exceeded" = "ok") => ({
  type: "code_result" as const,
  outcome,
  output,
});

describe("code execution parts as answer text", () => {
  it("fences code as python and its result as output, each on lines of their own", () => {
    expect(codePartText(code("print(2 + 2)"), "")).toBe("```python\nprint(2 + 2)\n```\n");
    expect(codePartText(result("4\n"), "```\n")).toBe("```output\n4\n```\n");
  });

  it("starts a new line when the text before did not end one", () => {
    expect(codePartText(code("x = 1"), "Let me check.")).toBe("\n```python\nx = 1\n```\n");
    expect(codePartText(code("x = 1"), "Let me check.\n")).toBe("```python\nx = 1\n```\n");
  });

  it("uses a longer fence than any backticks inside, so the block cannot close early", () => {
    expect(codePartText(code('s = """```"""'), "")).toBe('````python\ns = """```"""\n````\n');
    expect(codePartText(result("``````"), "")).toBe("```````output\n``````\n```````\n");
  });

  it("says when the code failed or ran out of time, and shows an empty output as such", () => {
    expect(codePartText(result("ZeroDivisionError", "failed"), "")).toBe(
      "The code failed:\n```output\nZeroDivisionError\n```\n",
    );
    expect(codePartText(result("", "deadline_exceeded"), "x")).toBe(
      "\nThe code ran out of time:\n```output\n```\n",
    );
  });

  it("leaves the info string empty for a language it does not know", () => {
    expect(codePartText({ type: "executable_code", language: "unspecified", code: "?" }, "")).toBe(
      "```\n?\n```\n",
    );
  });
});
