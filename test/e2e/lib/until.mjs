// Polling for a condition the UI tests cannot await directly (a file on disk, a gateway's answer, a row).

/** Resolves with `fn()`'s first truthy value, asked every 200 ms; throws "timed out waiting for <what>" after `timeout` ms. */
export async function until(what, fn, timeout = 20_000) {
  for (const deadline = Date.now() + timeout; ; ) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
