import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { ApiError } from "../errors.js";
import { adminToken } from "../middleware/admin-token.js";
import { bodyLimit } from "../middleware/body-limit.js";
import { forgetAliases, mergeAliases } from "../models/aliases.js";
import { ModelNameSchema } from "../models/model-names.js";
import { poolStub } from "../pool-client.js";
import { parseBody, readJson } from "../validate.js";

const SetAliasSchema = z.object({ model: ModelNameSchema });
const OverridesSchema = z.record(z.string(), z.string().nullable());

function aliasParam(raw: string): string {
  const parsed = ModelNameSchema.safeParse(raw);
  if (!parsed.success)
    throw new ApiError(
      "invalid_request",
      `alias: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      {
        param: "alias",
      },
    );
  return parsed.data;
}

/**
 * The model aliases for scripts, with the admin token. `configured` is wrangler.toml's map,
 * `overrides` what this API changed (null hides a configured alias), `aliases` the map in force.
 * Other isolates see a change within a few seconds (models/aliases.ts).
 */
export const adminAliases = new Hono<AppEnv>()
  .use(adminToken)
  .get("/", async (c) => {
    const configured = configOf(c.env).MODEL_ALIASES;
    const overrides = OverridesSchema.parse(await poolStub(c.env).aliasOverrides());
    return c.json({ aliases: mergeAliases(configured, overrides), configured, overrides });
  })
  .put("/:alias", bodyLimit, async (c) => {
    const alias = aliasParam(c.req.param("alias"));
    const { model } = parseBody(SetAliasSchema, readJson(c.get("body")));
    const overrides = OverridesSchema.parse(await poolStub(c.env).changeAlias(alias, { model }));
    forgetAliases(c.env);
    return c.json({
      alias,
      model,
      aliases: mergeAliases(configOf(c.env).MODEL_ALIASES, overrides),
    });
  })
  .delete("/:alias", async (c) => {
    // Removes the alias: a configured one is hidden, one made here is forgotten.
    const alias = aliasParam(c.req.param("alias"));
    const configured = configOf(c.env).MODEL_ALIASES;
    const change = Object.hasOwn(configured, alias) ? { model: null } : { reset: true as const };
    const overrides = OverridesSchema.parse(await poolStub(c.env).changeAlias(alias, change));
    forgetAliases(c.env);
    return c.json({ alias, deleted: true, aliases: mergeAliases(configured, overrides) });
  });
