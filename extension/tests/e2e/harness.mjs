// @ts-check
// Starts what the browser tests need: a static server for the test pages on
// 127.0.0.1, a test build of the extension (the store build plus a content
// script match for 127.0.0.1 and the test hook, test-hook.js), and Debian's Chromium with the extension
// loaded in a fresh profile. Any page error or 404 fails the test that
// caused it.
import http from 'node:http';
import { readFile, cp, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const pagesDir = path.join(root, 'extension', 'tests', 'pages');

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.jpg': 'image/jpeg', '.png': 'image/png' };

export function pigoDir() {
  return execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/esimov/pigo'], { cwd: root }).toString().trim();
}

/** Serves the test pages and /fixtures/face.jpg (pigo's sample photo). */
export async function startServer() {
  const face = path.join(pigoDir(), 'testdata', 'sample.jpg');
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url || '/', 'http://x');
    const file = url.pathname === '/fixtures/face.jpg' ? face : path.join(pagesDir, path.normalize(url.pathname).replace(/^([/\\])+/, ''));
    if (!file.startsWith(pagesDir) && file !== face) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { server, base: `http://127.0.0.1:${addr.port}` };
}

/** Copies dist/extension and lets its content script run on the test pages. */
export async function testBuild() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'postvakt-ext-'));
  await cp(path.join(root, 'dist', 'extension'), dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const m = JSON.parse(await readFile(manifestPath, 'utf8'));
  m.content_scripts[0].matches.push('http://127.0.0.1/*');
  // The test-only hook that tells the page when findings are shown.
  await cp(path.join(root, 'extension', 'tests', 'e2e', 'test-hook.js'), path.join(dir, 'content', 'test-hook.js'));
  m.content_scripts[0].js.push('content/test-hook.js');
  await writeFile(manifestPath, JSON.stringify(m, null, 2));
  return dir;
}

/**
 * Starts Chromium with the extension. opts.ext and opts.profile reuse an
 * extension build and a profile from an earlier launch (to test what
 * survives closing the browser); close({keep: true}) leaves them on disk.
 * @param {{ext?: string, profile?: string}} [opts]
 */
export async function launch(opts = {}) {
  const ext = opts.ext || await testBuild();
  const profile = opts.profile || await mkdtemp(path.join(os.tmpdir(), 'postvakt-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--disable-extensions-except=${ext}`, `--load-extension=${ext}`,
    ],
    viewport: { width: 1100, height: 800 },
  });
  let [sw] = ctx.serviceWorkers();
  if (!sw) sw = await ctx.waitForEvent('serviceworker');
  const extensionId = new URL(sw.url()).host;
  const close = async (/** @type {{keep?: boolean}} */ o = {}) => {
    await ctx.close();
    if (o.keep) return;
    await rm(ext, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  };
  return { ctx, extensionId, close, ext, profile };
}

/**
 * Opens a page and records page errors and 404s.
 * @param {import('playwright-core').BrowserContext} ctx
 * @param {string} url
 */
export async function openPage(ctx, url) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() === 404) problems.push(`404: ${r.url()}`); });
  await page.goto(url);
  return { page, problems };
}

const axeSource = readFileSync(path.join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (through CDP, so the page's CSP does not apply)
 * and returns its violations, one line each; context narrows it, for
 * example to the extension's layer (axe reads open shadow roots).
 * @param {import('playwright-core').Page} page
 * @param {any} [context]
 */
export async function axeViolations(page, context) {
  await page.evaluate(axeSource);
  return page.evaluate(async (ctx) => {
    // @ts-ignore: axe is defined by axe.min.js.
    const r = await axe.run(ctx || document);
    return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`);
  }, context);
}
