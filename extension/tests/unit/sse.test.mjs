// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SSEParser } from '../../lib/sse.js';

test('events split across chunks and line endings, comments and retry', () => {
  const got = [];
  const p = new SSEParser((e) => got.push(e));
  const stream = 'retry: 3000\n\nevent: hello\ndata: {"version":"v1",\r\ndata: "etag":"x"}\r\n\r\n: heartbeat\n\nevent: bundle\ndata: {"version":"v2"}\r\rdata: plain\n\n';
  // Every split point must give the same events.
  for (let cut = 0; cut <= stream.length; cut++) {
    got.length = 0;
    const q = new SSEParser((e) => got.push(e));
    q.push(stream.slice(0, cut));
    q.push(stream.slice(cut));
    assert.deepEqual(got.map((e) => [e.event, e.data]), [
      ['hello', '{"version":"v1",\n"etag":"x"}'], ['bundle', '{"version":"v2"}'], ['message', 'plain'],
    ], `cut at ${cut}`);
    assert.equal(q.retry, 3000);
  }
  p.push('event: x\n\n'); // no data: no event
  assert.equal(got.length, 3);
});
