/**
 * Returns the response with a body that calls `done` exactly once, when the body has been read
 * to its end, failed, or been cancelled (the client went away). Used to hold a concurrency slot
 * for exactly as long as a streamed answer lasts.
 */
export function onStreamEnd(res: Response, done: () => void): Response {
  const source = res.body;
  if (source === null) {
    done();
    return res;
  }
  let called = false;
  const finish = () => {
    if (!called) {
      called = true;
      done();
    }
  };
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          finish();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        finish();
        controller.error(err);
      }
    },
    async cancel(reason) {
      finish();
      await reader.cancel(reason);
    },
  });
  return new Response(body, res);
}
