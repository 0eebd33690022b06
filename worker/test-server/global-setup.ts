import type { TestProject } from "vitest/node";
import { closedPort, startAttachmentServer } from "./attachment-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the loopback file server the attachment tests fetch from. */
    attachmentServer: string;
    /** A loopback port nothing listens on, for "could not fetch". */
    closedPort: number;
  }
}

/** Starts the attachment tests' file server in Node, next to the workerd the tests run in. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startAttachmentServer();
  project.provide("attachmentServer", server.url);
  project.provide("closedPort", await closedPort());
  return () => server.close();
}
