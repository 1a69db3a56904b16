// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEntry, MAX_REASON } from '../../lib/audit.js';

const report = {
  bundle: 'builtin-1', verdict: 'warn', archive: true,
  findings: [{ rule: 'pii.phone', severity: 'warn', start: 5, end: 15, excerpt: '91* ** 567', message: 'Innlegget inneholder …', suggestion: '…' }],
};
const base = {
  id: '7f1c0d6e-0000-4000-8000-000000000001', now: new Date('2026-11-22T10:00:00Z'),
  settings: { user: 'kari', unit: 'kommunikasjon' }, draft: { id: 'd', text: 'Ring 912 34 567', platform: 'facebook', kind: 'post' },
  report, action: 'overridden', reason: 'Avklart med leder', host: 'www.facebook.com', textSha256: 'a'.repeat(64),
};

test('an entry mirrors shared/audit.Entry and never holds the text', () => {
  const e = buildEntry(base);
  assert.deepEqual(e, {
    id: base.id, user: 'kari', unit: 'kommunikasjon', platform: 'facebook', host: 'www.facebook.com', kind: 'post',
    at: '2026-11-22T10:00:00.000Z', bundle: 'builtin-1', action: 'overridden',
    findings: [{ rule: 'pii.phone', severity: 'warn', excerpt: '91* ** 567' }],
    reason: 'Avklart med leder', archive: true, text_sha256: 'a'.repeat(64),
  });
  assert.ok(!JSON.stringify(e).includes('912 34 567'));
  assert.ok(!('message' in e.findings[0]), 'finding messages are not stored');
});

test('unknown platforms become other, reasons are bounded, actions are checked', () => {
  const e = buildEntry({ ...base, draft: { ...base.draft, platform: 'myspace' }, reason: 'x'.repeat(5000) });
  assert.equal(e.platform, 'other');
  assert.equal(e.reason.length, MAX_REASON);
  assert.throws(() => buildEntry({ ...base, action: 'deleted' }), /unknown action/);
});
