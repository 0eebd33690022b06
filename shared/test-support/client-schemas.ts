/*
 * JSON Schemas as real clients send them, for the schema converter's tests and for the driver's
 * test that the page's dialogs accept what the converter makes of them.
 */

export const CLIENT_SCHEMAS = {
  // read_file as Roo Code and Kilo Code declare it in native tool-calling mode.
  rooReadFile: {
    type: "object",
    properties: {
      path: {
        type: "string",
        description: "Path of the file to read, relative to the workspace",
      },
      line_ranges: {
        type: ["array", "null"],
        description: "Optional ranges, e.g. [[1, 50]]",
        items: { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 },
      },
      mode: { type: ["string", "null"], enum: ["full", "slice", null] },
    },
    required: ["path", "line_ranges", "mode"],
    additionalProperties: false,
    strict: true,
  },
  // client.beta.chat.completions.parse(response_format=MathReasoning) with
  // class Step(BaseModel): explanation: str; output: str
  // class MathReasoning(BaseModel): steps: list[Step]; final_answer: str; note: Optional[str] = None
  pydanticMathReasoning: {
    $defs: {
      Step: {
        properties: {
          explanation: { title: "Explanation", type: "string" },
          output: { title: "Output", type: "string" },
        },
        required: ["explanation", "output"],
        title: "Step",
        type: "object",
        additionalProperties: false,
      },
    },
    properties: {
      steps: { items: { $ref: "#/$defs/Step" }, title: "Steps", type: "array" },
      final_answer: { title: "Final Answer", type: "string" },
      note: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Note" },
    },
    required: ["steps", "final_answer", "note"],
    title: "MathReasoning",
    type: "object",
    additionalProperties: false,
  },
  // pydantic Literal and enum classes: const unions and an enum behind a $ref.
  pydanticLiterals: {
    $defs: { Color: { enum: ["red", "green"], title: "Color", type: "string" } },
    properties: {
      color: { $ref: "#/$defs/Color", description: "The colour" },
      kind: { anyOf: [{ const: "a" }, { const: "b" }], title: "Kind" },
      level: { const: "high", type: "string" },
    },
    required: ["color", "kind", "level"],
    type: "object",
  },
  // zodToJsonSchema(z.object({ home: Address, work: Address.optional(), tags: z.array(z.string()), age: z.number().int().min(0), nick: z.string().nullable() }))
  zodAddresses: {
    type: "object",
    properties: {
      home: {
        type: "object",
        properties: { city: { type: "string" }, zip: { type: "string", pattern: "^[0-9]{5}$" } },
        required: ["city"],
        additionalProperties: false,
      },
      work: { $ref: "#/properties/home" },
      tags: { type: "array", items: { type: "string" } },
      age: { type: "integer", minimum: 0 },
      nick: { type: ["string", "null"] },
    },
    required: ["home", "tags", "age", "nick"],
    additionalProperties: false,
    $schema: "http://json-schema.org/draft-07/schema#",
  },
} satisfies Record<string, Record<string, unknown>>;
