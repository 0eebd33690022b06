export * from "./error-codes.js";
export * from "./chat-request.js";
export * from "./chat-response.js";
export * from "./job-request.js";
export * from "./protocol.js";
