/*
 * Bodies of the RPCs the page makes besides GenerateContent, as captured (facts §4, §6, and
 * ../shared/captures/other-rpcs-2026-02.json). Error bodies keep the real leading elision `[,`,
 * which is not valid JSON: clients must normalise it, and so must anything tested against this.
 */

export const RPC_PREFIX =
  "/$rpc/google.internal.alkali.applications.makersuite.v1.MakerSuiteService/";

export const PERMISSION_DENIED = '[,[7,"The caller does not have permission"]]';
export const PER_USER_QUOTA_404 =
  "[, [5, \"Ambiguous request for service '' and method '/GenerativeService.StreamGenerateContentPerUserQuota'. Please use fully qualified names.\"]]";
/** [I] No 429 body was ever captured; this is the RESOURCE_EXHAUSTED envelope other Google JSPB services use. */
export const QUOTA_EXHAUSTED =
  '[,[8,"Resource has been exhausted (e.g. check quota).",[["type.googleapis.com/google.rpc.ErrorInfo",["USER_GENAI_QUOTA_EXHAUSTED","generativelanguage.googleapis.com"]]]]]';
export const RATE_LIMITED = '[,[8,"429: Too Many Requests"]]';
/** INVALID_ARGUMENT: an unreadable body, or a Drive file the server does not have. */
export const INVALID_ARGUMENT = '[,[3,"Request contains an invalid argument."]]';
export const INTERNAL = '[,[13,"Internal error encountered."]]';
export const UNAUTHENTICATED =
  '[16,"Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential."]';

/** Small RPCs answered with fixed bodies. */
export const STATIC_RPCS: Record<string, string> = {
  GetLoggingContext: '[0,"USA",1,null,null,1,4,0]',
  GetUserPreferences: '[2,[["1762945181",540000000]]]',
  GenerateAccessToken: '["ya29.simulated-access-token"]',
  ListPrompts: "[[]]",
  ListRecentApplets: "[[]]",
  ListCodeAssistantConfigurations: "[[],[]]",
  GenerateTitle: '["Simulated chat"]',
};

/** CountTokens answers `[total,[],[[[2],1]],null,null,[[1,total]]]`. */
export function countTokensBody(total: number): string {
  return JSON.stringify([total, [], [[[2], 1]], null, null, [[1, total]]]);
}
