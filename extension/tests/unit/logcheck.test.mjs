// @ts-check
// The audit-log check (lib/logcheck.js) against a scripted server and a
// stand-in for the wasm verifier: the first checkpoint is pinned, a grown
// log moves it on, and a rolled-back or forked log, or a new key, is an
// alarm that keeps the checkpoint seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLog, treeSize } from '../../lib/logcheck.js';

const cp = (n, root = 'r') => `postvakt/audit/k\n${n}\n${root}${n}\n\n— postvakt/audit/k sig\n`;

/** A server whose log has the given checkpoint; proofs are "p:old:new". */
function server(current, { key = 'KEY', status = 200 } = {}) {
  const calls = [];
  return {
    calls,
    async request(path) {
      calls.push(path);
      if (status !== 200) return new Response('{}', { status });
      const u = new URL(path, 'http://x');
      return new Response(JSON.stringify({ checkpoint: current, proof: [`p:${u.searchParams.get('old')}:${u.searchParams.get('new')}`], public_key: key }), { status: 200 });
    },
  };
}

/** Verifies by the root letter: a fork has another letter. */
function verify(older, newer, proof, pub) {
  if (pub !== 'KEY') return JSON.stringify({ error: { code: 'EINCONSISTENT', message: 'not the log key' } });
  const [o, n] = [treeSize(older), treeSize(newer)];
  if (older && (n < o || older.split('\n')[2][0] !== newer.split('\n')[2][0])) {
    return JSON.stringify({ error: { code: 'EINCONSISTENT', message: 'the checkpoints are not consistent' } });
  }
  assert.match(proof, /^\["p:/);
  return JSON.stringify({ ok: true, old: Math.max(o, 0), size: n });
}

test('the first checkpoint is pinned with its key', async () => {
  const r = await checkLog({}, server(cp(5)), verify);
  assert.deepEqual(r, { seen: { checkpoint: cp(5), publicKey: 'KEY' }, alarm: null });
});

test('a grown log moves the checkpoint on; the POST answer is what is checked', async () => {
  const s = server(cp(9));
  const r = await checkLog({ checkpoint: cp(5), publicKey: 'KEY' }, s, verify, cp(7));
  assert.deepEqual(r.seen, { checkpoint: cp(7), publicKey: 'KEY' });
  assert.equal(r.alarm, null);
  assert.deepEqual(s.calls, ['/api/v1/audit/proof/consistency?old=5&new=7']);
});

test('alarms', async (t) => {
  const seen = { checkpoint: cp(5), publicKey: 'KEY' };
  for (const [name, srv, current, want] of [
    ['rolled back in the POST answer', server(cp(9)), cp(3), /rolled back/],
    ['rolled back: the server cannot prove from what was seen', server(cp(3), { status: 422 }), '', /rolled back/],
    ['forked', server(cp(9, 'f')), '', /not consistent/],
    ['another key', server(cp(9), { key: 'OTHER' }), '', /another key/],
  ]) {
    await t.test(name, async () => {
      const r = await checkLog(seen, srv, verify, current);
      assert.ok(r.alarm, 'no alarm');
      assert.match(r.alarm.message, want);
      assert.equal(r.alarm.seen, seen.checkpoint);
      assert.deepEqual(r.seen, seen, 'the checkpoint seen must be kept');
    });
  }
});

test('a server error is thrown, not an alarm', async () => {
  await assert.rejects(checkLog({ checkpoint: cp(5), publicKey: 'KEY' }, server(cp(5), { status: 503 }), verify));
});
