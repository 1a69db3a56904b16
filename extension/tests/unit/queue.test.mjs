// @ts-check
// The durable audit queue (lib/queue.js) on fake-indexeddb: order, the
// bound and its drop reports, removal by the server's answer, and that a
// second Store on the same database (a restarted worker) sees everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { Store } from '../../lib/queue.js';

let n = 0;
const entry = (i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, user: 'kari', unit: 'oppvekst', platform: 'facebook',
  kind: 'post', at: '2026-11-22T10:00:00.000Z', bundle: 'v1', action: 'published', findings: [], archive: false,
});
const ids = (es) => es.map((e) => e.id.slice(-3));
const uuid = () => `dddddddd-0000-4000-8000-${String(++n).padStart(12, '0')}`;

test('entries come out oldest first and survive a new Store on the same database', async () => {
  const idb = new IDBFactory();
  const q = new Store(idb, { uuid });
  for (let i = 1; i <= 5; i++) await q.add(entry(i));
  assert.deepEqual(ids(await q.batch(3)), ['001', '002', '003']);
  const again = new Store(idb, { uuid }); // the worker was stopped and started
  assert.deepEqual((await again.stats()).length, 5);
  assert.deepEqual(ids(await again.batch(10)), ['001', '002', '003', '004', '005']);
});

test('remove takes out only the entries the server answered for', async () => {
  const q = new Store(new IDBFactory(), { uuid });
  for (let i = 1; i <= 4; i++) await q.add(entry(i));
  const sent = await q.batch(2);
  await q.add(entry(5)); // queued while the batch was on its way
  await q.remove(sent.map((e) => e.id));
  assert.deepEqual(ids(await q.batch(10)), ['003', '004', '005']);
  await q.remove(['not-queued']);
  assert.equal((await q.stats()).length, 3);
});

test('a full queue drops the oldest and reports how many, ahead of the rest', async () => {
  const q = new Store(new IDBFactory(), { max: 3, uuid, now: () => new Date('2026-11-22T12:00:00Z') });
  for (let i = 1; i <= 5; i++) await q.add(entry(i));
  let st = await q.stats();
  assert.deepEqual(st, { length: 3, reports: 1, dropped: 2 });
  const b = await q.batch(10);
  assert.equal(b.length, 4);
  assert.equal(b[0].action, 'dropped');
  assert.equal(b[0].dropped, 2);
  assert.deepEqual(b[0].findings, []);
  assert.deepEqual(ids(b.slice(1)), ['003', '004', '005']);

  // The report was handed out: its count is final; new drops open a new one.
  await q.add(entry(6));
  const b2 = await q.batch(10);
  assert.deepEqual(b2.slice(0, 2).map((e) => [e.action, e.dropped]), [['dropped', 2], ['dropped', 1]]);
  assert.notEqual(b2[0].id, b2[1].id);
  assert.equal(b2[0].id, b[0].id, 'a resent report keeps its id, so the server counts it once');

  await q.remove(b2.map((e) => e.id));
  st = await q.stats();
  assert.deepEqual(st, { length: 0, reports: 0, dropped: 3 });
});

test('the sign-in record is kept and deleted', async () => {
  const q = new Store(new IDBFactory());
  assert.equal(await q.get('auth'), undefined);
  await q.set('auth', { user: 'kari' });
  assert.deepEqual(await q.get('auth'), { user: 'kari' });
  await q.set('auth', undefined);
  assert.equal(await q.get('auth'), undefined);
});

test('entries written by another user wait for their own sign-in', async () => {
  const q = new Store(new IDBFactory(), { uuid });
  const by = (i, user) => ({ ...entry(i), user });
  await q.add(by(1, 'kari'));
  await q.add(by(2, 'ola'));
  await q.add(by(3, ''));
  await q.add(by(4, 'kari'));
  assert.deepEqual(ids(await q.batch(10, 'kari')), ['001', '003', '004']);
  assert.deepEqual(ids(await q.batch(10, 'ola')), ['002', '003']);
  assert.deepEqual(ids(await q.batch(2, 'kari')), ['001', '003']);
  assert.equal(await q.othersWaiting('kari'), 1);
  assert.equal(await q.othersWaiting('per'), 3);
});
