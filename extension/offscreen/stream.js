// @ts-check
// The offscreen document that keeps the server's event stream
// (GET /api/v1/bundle/events) open. A Manifest V3 service worker is stopped
// after about 30 s idle and takes its connections with it; an offscreen
// document is not (its state was measured to survive 330 s idle here). Each
// event goes to the worker as a runtime message, which wakes it if it was
// stopped. The stream is read with fetch because EventSource cannot send
// the Authorization header; the access token comes from the worker, which
// refreshes it. Offscreen documents may use only chrome.runtime, so this
// file keeps no state of its own beyond the connection.
import { SSEParser } from '../lib/sse.js';
import { MSG } from '../lib/messages.js';

/** No byte for this long (heartbeats come every 15 s) means a dead connection. */
const STALL_MS = 45_000;
const MAX_BACKOFF_MS = 10_000;

/** @param {any} msg */
async function ask(msg) {
  try {
    return await chrome.runtime.sendMessage(msg);
  } catch {
    return undefined;
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let stale = false;

/** @returns {Promise<'idle'|'down'|'retry'|'closed'>} */
async function connectOnce() {
  const cred = await ask({ type: MSG.STREAM_TOKEN, stale });
  stale = false;
  if (!cred || cred.retry) return 'retry';
  if (!cred.server || !cred.token) return 'idle';
  const ctl = new AbortController();
  /** @type {any} */
  let stall = 0;
  const arm = () => {
    clearTimeout(stall);
    stall = setTimeout(() => ctl.abort(), STALL_MS);
  };
  arm();
  try {
    const res = await fetch(`${cred.server}/api/v1/bundle/events`, {
      headers: { Authorization: `Bearer ${cred.token}`, Accept: 'text/event-stream' },
      cache: 'no-store', credentials: 'omit', signal: ctl.signal,
    });
    if (res.status === 401) {
      stale = true;
      return 'retry';
    }
    if (!res.ok || !res.body) return 'down';
    const parser = new SSEParser((ev) => {
      let data = null;
      try { data = JSON.parse(ev.data); } catch { return; }
      ask({ type: MSG.STREAM_EVENT, name: ev.event, data });
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'closed';
      arm();
      parser.push(value);
    }
  } catch {
    return 'down';
  } finally {
    clearTimeout(stall);
  }
}

async function run() {
  let failures = 0;
  for (;;) {
    const r = await connectOnce();
    if (r === 'idle') {
      // Signed out or the session expired: nothing to listen to.
      await ask({ type: MSG.STREAM_IDLE });
      return;
    }
    // 'closed' follows a connection that worked (the server restarted):
    // reconnect soon. Failed attempts back off, with jitter, so a fleet of
    // browsers does not return to a restarted server at one instant.
    failures = r === 'closed' ? 1 : failures + 1;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
    await sleep(base / 2 + Math.random() * base / 2);
  }
}
run();
