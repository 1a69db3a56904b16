// @ts-check
// Build checks: the manifest is well formed, every file it names exists in
// the built extension, the strings are complete in every language, and no
// debug logging ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRINGS } from '../../lib/i18n.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '../..');
const dist = path.resolve(src, '../dist/extension');
const manifest = JSON.parse(readFileSync(path.join(src, 'manifest.json'), 'utf8'));

test('manifest: MV3, a fixed key, a well-formed version and the wasm CSP', () => {
  assert.equal(manifest.manifest_version, 3);
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.ok(manifest.key && manifest.key.length > 300, 'no key: the extension id would depend on the path');
  assert.match(manifest.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
  assert.equal(manifest.background.type, 'module');
});

test('every file the manifest names is in the build', { skip: !existsSync(dist) && 'run make extension first' }, () => {
  const files = [manifest.background.service_worker, manifest.action.default_popup, manifest.options_page,
    manifest.storage.managed_schema, ...manifest.content_scripts.flatMap((c) => c.js),
    ...Object.values(manifest.icons), ...Object.values(manifest.action.default_icon),
    'postvakt.wasm', 'facefinder', 'lib/wasm_exec.js', 'offscreen/stream.html', 'offscreen/stream.js'];
  for (const lang of ['nb', 'nn', 'en']) files.push(`_locales/${lang}/messages.json`);
  for (const f of files) assert.ok(existsSync(path.join(dist, f)), `missing in dist/extension: ${f}`);
});

test('the store zip is made without the manifest key', { skip: !existsSync(dist) && 'run make extension first' }, () => {
  const store = path.resolve(src, '../dist/store');
  const m = JSON.parse(readFileSync(path.join(store, 'manifest.json'), 'utf8'));
  assert.equal(m.key, undefined, 'the Chrome Web Store refuses a manifest with a key');
  assert.deepEqual({ ...m, key: manifest.key }, manifest, 'the store manifest differs in more than the key');
  assert.ok(statSync(path.resolve(src, '../dist/postvakt-extension.zip')).size > 1e6, 'zip missing or too small');
});

test('locales: the same keys in nb, nn and en', () => {
  const keys = (o) => Object.keys(o).sort().join(',');
  const locs = ['nb', 'nn', 'en'].map((l) => JSON.parse(readFileSync(path.join(src, '_locales', l, 'messages.json'), 'utf8')));
  assert.equal(keys(locs[1]), keys(locs[0]));
  assert.equal(keys(locs[2]), keys(locs[0]));
  assert.equal(keys(STRINGS.nn), keys(STRINGS.nb));
  assert.equal(keys(STRINGS.en), keys(STRINGS.nb));
  // The content script's own table: every key in all three languages.
  const content = readFileSync(path.join(src, 'content', 'strings.js'), 'utf8');
  const table = content.slice(content.indexOf('const STR = {'), content.indexOf('pv.lang ='));
  const blocks = table.split(/\n    (?:nb|nn|en): \{/).slice(1).map((b) => [...b.matchAll(/^      (\w+):/gm)].map((m) => m[1]).sort().join(','));
  assert.equal(blocks.length, 3);
  assert.equal(blocks[1], blocks[0]);
  assert.equal(blocks[2], blocks[0]);
});

test('no debug logging in shipped scripts', () => {
  const walk = (d) => readdirSync(d).flatMap((f) => {
    const p = path.join(d, f);
    return statSync(p).isDirectory() ? (f === 'tests' ? [] : walk(p)) : [p];
  });
  for (const f of walk(src).filter((f) => f.endsWith('.js'))) {
    assert.ok(!/console\.log\(/.test(readFileSync(f, 'utf8')), `console.log in ${path.relative(src, f)}`);
  }
});
