// @ts-check
// Loads the built checker (dist/postvakt.wasm) under Node with the
// wasm_exec.js of the same Go toolchain, and checks that it answers every
// golden draft of shared/engine/testdata exactly as the native engine does:
// same findings, same UTF-16 offsets, same masked excerpts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const goroot = execFileSync('go', ['env', 'GOROOT']).toString().trim();
await import(path.join(goroot, 'lib', 'wasm', 'wasm_exec.js'));

const go = new globalThis.Go();
const bytes = readFileSync(path.join(root, 'dist', 'postvakt.wasm'));
const t0 = performance.now();
const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
go.run(instance);
const startMs = performance.now() - t0;
/** @type {any} */
const pv = globalThis.postvakt;

/** The golden text form of shared/engine/engine_test.go's render. */
function render(text, rep) {
  let s = `verdict ${rep.verdict} archive ${rep.archive}\n`;
  for (const f of rep.findings) {
    let where = `${f.start}:${f.end}`;
    if (f.image >= 0) where = `image ${f.image}`;
    else if (f.start < 0) where = 'draft';
    const frag = f.start >= 0 ? text.slice(f.start, f.end) : '';
    s += `${f.rule} ${where} ${f.severity} «${frag}» ${f.excerpt ?? ''}\n`;
  }
  return s;
}

test('module starts and registers its API', () => {
  assert.equal(pv.ready, true);
  assert.ok(startMs < 5000, `start took ${startMs} ms`);
});

const dir = path.join(root, 'shared', 'engine', 'testdata');
for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  test(`golden ${name}`, () => {
    const draft = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
    const rep = JSON.parse(pv.check(JSON.stringify(draft)));
    const want = readFileSync(path.join(dir, name.replace(/\.json$/, '.golden')), 'utf8');
    assert.equal(render(draft.text, rep), want);
  });
}

test('bad input answers an error object, never throws', () => {
  assert.equal(JSON.parse(pv.check('{"id":')).error.code, 'EINVALID');
  assert.equal(JSON.parse(pv.check(42)).error.code, 'EINVALID');
  assert.equal(JSON.parse(pv.check()).error.code, 'EINVALID');
  assert.equal(JSON.parse(pv.loadBundle('{"version":"x","rules":[]}')).error.code, 'EBUNDLE');
  // The instance is still alive after errors.
  assert.equal(JSON.parse(pv.check('{"id":"a","text":"ok"}')).id, 'a');
});

test('faces: the cascade from the pigo module loads and a blank image has none', () => {
  const mod = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/esimov/pigo'], { cwd: root }).toString().trim();
  const cascade = readFileSync(path.join(mod, 'cascade', 'facefinder'));
  assert.deepEqual(JSON.parse(pv.loadCascade(new Uint8Array(cascade))), { ok: true });
  const w = 64, h = 48;
  const rgba = new Uint8Array(w * h * 4).fill(200);
  assert.deepEqual(JSON.parse(pv.detectFaces(rgba, w, h)), { faces: [] });
  assert.equal(JSON.parse(pv.detectFaces(rgba, w, h + 1)).error.code, 'EINVALID');
});
