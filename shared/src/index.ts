export * from "./error-codes.js";
export * from "./chat-request.js";
export * from "./chat-response.js";
export * from "./job-request.js";
export * from "./json-depth.js";
export * from "./job-events.js";
export * from "./model-id.js";
export * from "./protocol.js";
