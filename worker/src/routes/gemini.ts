import { Hono } from "hono";
import type { AppEnv } from "../app-types.js";

export const gemini = new Hono<AppEnv>();
