import { Hono } from "hono";
import type { AppEnv } from "../app-types.js";

export const responses = new Hono<AppEnv>();
