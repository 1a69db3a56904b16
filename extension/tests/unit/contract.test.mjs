// @ts-check
// Both sides of the contract: the field lists in lib/engine-contract.js
// match the json tags of the Go structs they mirror, and audit entries
// built by lib/audit.js use only shared/audit.Entry's fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIELDS, spanText } from '../../lib/engine-contract.js';
import { buildEntry } from '../../lib/audit.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The json names of a Go struct's fields, in order. */
function goFields(pkgType) {
  const [pkg, type] = pkgType.split('.');
  const dir = path.join(repo, pkg);
  const src = readFileSync(path.join(dir, `${pkg.split('/').pop()}.go`), 'utf8');
  const m = src.match(new RegExp(`^type ${type} struct \\{([\\s\\S]*?)^\\}`, 'm'));
  assert.ok(m, `type ${pkgType} not found`);
  return [...m[1].matchAll(/json:"([^",]+)/g)].map((x) => x[1]).filter((n) => n !== '-');
}

for (const [goType, fields] of Object.entries(FIELDS)) {
  test(`contract: ${goType} has the fields the extension mirrors`, () => {
    assert.deepEqual(fields, goFields(goType));
  });
}

test('an audit entry uses only shared/audit.Entry fields', () => {
  const e = buildEntry({
    id: '7f1c0d6e-0000-4000-8000-000000000002', now: new Date(0), settings: { user: 'u', unit: 'n' },
    draft: { id: 'd', text: 't', platform: 'x', kind: 'reply' }, action: 'blocked', reason: 'r', host: 'x.com',
    textSha256: 'b'.repeat(64),
    report: { bundle: 'b', archive: false, findings: [{ rule: 'pii.email', severity: 'warn', excerpt: 'k***@gmail.com' }] },
  });
  for (const k of Object.keys(e)) assert.ok(FIELDS['shared/audit.Entry'].includes(k), `field ${k}`);
  for (const k of Object.keys(e.findings[0])) assert.ok(FIELDS['shared/audit.Finding'].includes(k), `finding field ${k}`);
});

// Offsets are UTF-16 code units: slicing a JS string with them needs no
// conversion, also after æ, ø, å and emoji (two code units each).
test('spanText: UTF-16 offsets after æøå and emoji', () => {
  const text = 'Blåbær 🫐🍓 til Ørjan: 912 34 567';
  const start = text.indexOf('912');
  const f = /** @type {any} */ ({ start, end: start + 10 });
  assert.equal(start, 23); // 7 + 4 (two emoji) + 5 + 7 code units
  assert.equal(spanText(text, f), '912 34 567');
  assert.equal(spanText(text, /** @type {any} */ ({ start: -1, end: -1 })), '');
});
