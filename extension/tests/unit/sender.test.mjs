// @ts-check
// Sending the queue (lib/sender.js) to a scripted server: batches of 100
// oldest first, entries removed only once answered, a lost answer resent
// and counted as duplicates, a body over the limit split, a failure that
// keeps everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { Store } from '../../lib/queue.js';
import { sendQueue } from '../../lib/sender.js';
import { HTTPError, NetworkError } from '../../lib/client.js';

const entry = (i, reason = '') => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, user: 'kari', platform: 'x', kind: 'post',
  at: '2026-11-22T10:00:00.000Z', bundle: 'v1', action: 'published', findings: [], archive: false, ...(reason ? { reason } : {}),
});

/** A server that dedups by id, with a body limit and scripted failures. */
function server({ limit = Infinity, fail = /** @type {number[]} */ ([]) } = {}) {
  const stored = new Map();
  const sizes = [];
  let call = 0;
  const client = {
    async request(path, init) {
      call++;
      if (fail.includes(call)) throw new NetworkError('connection reset');
      if (init.body.length > limit) return new Response('{"error":{"code":"ETOOLARGE"}}', { status: 413 });
      const { entries } = JSON.parse(init.body);
      sizes.push(entries.length);
      let accepted = 0;
      let duplicates = 0;
      for (const e of entries) {
        if (stored.has(e.id)) duplicates++;
        else { stored.set(e.id, e); accepted++; }
      }
      return new Response(JSON.stringify({ accepted, duplicates, rejected: [] }), { status: 200 });
    },
  };
  return { client, stored, sizes };
}

test('250 entries go in batches of 100, oldest first, and leave the queue', async () => {
  const q = new Store(new IDBFactory());
  for (let i = 1; i <= 250; i++) await q.add(entry(i));
  const s = server();
  const r = await sendQueue(q, s.client);
  assert.deepEqual(r, { accepted: 250, duplicates: 0, rejected: 0 });
  assert.deepEqual(s.sizes, [100, 100, 50]);
  assert.equal([...s.stored.keys()][0], entry(1).id);
  assert.equal((await q.stats()).length, 0);
});

test('a dropped connection keeps the unanswered batch; the resend is counted once', async () => {
  const q = new Store(new IDBFactory());
  for (let i = 1; i <= 150; i++) await q.add(entry(i));
  const s = server({ fail: [2] });
  await assert.rejects(sendQueue(q, s.client), NetworkError);
  assert.equal((await q.stats()).length, 50);
  const r = await sendQueue(q, s.client);
  assert.equal(r.accepted, 50);
  assert.equal(s.stored.size, 150);
});

test('a lost answer: the server stored the batch, the resend comes back as duplicates', async () => {
  const q = new Store(new IDBFactory());
  for (let i = 1; i <= 3; i++) await q.add(entry(i));
  const s = server();
  const lost = { request: async (p, init) => { await s.client.request(p, init); throw new NetworkError('reset after the server stored it'); } };
  await assert.rejects(sendQueue(q, lost), NetworkError);
  assert.deepEqual(await sendQueue(q, s.client), { accepted: 0, duplicates: 3, rejected: 0 });
  assert.equal(s.stored.size, 3);
});

test('a batch over the body limit is split; an entry that can never fit is counted as rejected', async () => {
  const q = new Store(new IDBFactory());
  for (let i = 1; i <= 40; i++) await q.add(entry(i, i === 7 ? 'x'.repeat(5000) : 'ok'));
  const s = server({ limit: 4000 });
  const r = await sendQueue(q, s.client);
  assert.deepEqual(r, { accepted: 39, duplicates: 0, rejected: 1 });
  assert.ok(!s.stored.has(entry(7).id));
  assert.equal((await q.stats()).length, 0);
  assert.ok(Math.max(...s.sizes) < 40);
});

test('a 500 or garbage keeps the whole queue', async () => {
  for (const res of [new Response('oops', { status: 500 }), new Response('<html>', { status: 200 })]) {
    const q = new Store(new IDBFactory());
    for (let i = 1; i <= 5; i++) await q.add(entry(i));
    await assert.rejects(sendQueue(q, { request: async () => res }), HTTPError);
    assert.equal((await q.stats()).length, 5);
  }
});

test('only the signed-in user\'s entries (and unsigned ones) are sent under their token', async () => {
  const q = new Store(new IDBFactory());
  for (let i = 1; i <= 6; i++) await q.add({ ...entry(i), user: i % 2 ? 'kari' : 'ola' });
  const s = server();
  assert.equal((await sendQueue(q, s.client, undefined, 'ola')).accepted, 3);
  assert.deepEqual([...s.stored.values()].map((e) => e.user), ['ola', 'ola', 'ola']);
  assert.equal((await q.stats()).length, 3);
  assert.equal((await sendQueue(q, s.client, undefined, 'kari')).accepted, 3);
});
