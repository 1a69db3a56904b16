// @ts-check
// The real Postvakt server for browser tests: built from
// server/cmd/postvakt into a temporary directory, with users added by
// `postvakt user add`, started by `postvakt serve` on SQLite and port 0
// (the address is read from its stdout), stopped with SIGTERM and started
// again on the same data.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { root } from './harness.mjs';

export const PASSWORD = 'passord-123';

export class Postvakt {
  /**
   * Builds the binary and adds the users.
   * @param {[string, string][]} users name and role
   */
  static async create(users) {
    const pv = new Postvakt();
    pv.tmp = await mkdtemp(path.join(os.tmpdir(), 'postvakt-e2e-'));
    pv.bin = path.join(pv.tmp, 'postvakt');
    pv.data = path.join(pv.tmp, 'data');
    execFileSync('go', ['build', '-o', pv.bin, './server/cmd/postvakt'], { cwd: root, stdio: 'inherit' });
    for (const [name, role] of users) {
      execFileSync(pv.bin, ['user', 'add', name, '--role', role, '--password-stdin', '--data', pv.data], { input: `${PASSWORD}\n` });
    }
    return pv;
  }

  constructor() {
    this.tmp = '';
    this.bin = '';
    this.data = '';
    /** @type {import('node:child_process').ChildProcess | null} */
    this.proc = null;
    /** The running server's base URL, or '' when it is stopped. */
    this.url = '';
  }

  /** Starts `postvakt serve` and resolves its URL. */
  async start() {
    const proc = spawn(this.bin, ['serve', '--addr', '127.0.0.1:0', '--data', this.data, '--sse-heartbeat', '2s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    proc.stderr?.on('data', (b) => { logs += b; });
    this.url = await new Promise((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (b) => {
        out += b;
        const m = out.match(/listening on (http:\/\/\S+)/);
        if (m) resolve(m[1]);
      });
      proc.on('exit', (code) => reject(new Error(`postvakt serve exited with ${code}: ${logs}`)));
    });
    this.proc = proc;
    return this.url;
  }

  /** Stops the server (SIGTERM, a graceful shutdown) and waits for it. */
  async stop() {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    this.url = '';
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  async close() {
    await this.stop();
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
  }

  /**
   * A request to the server's API.
   * @param {string} method
   * @param {string} p
   * @param {string} [token]
   * @param {any} [body]
   */
  async api(method, p, token, body) {
    if (!this.url) throw new Error('the server is not running');
    // /metrics wants the token the server keeps in its data directory.
    if (p === '/metrics' && !token) token = (await readFile(path.join(this.data, 'metrics.token'), 'utf8')).trim();
    const res = await fetch(this.url + p, {
      method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text, headers: res.headers };
  }

  /**
   * Signs in through the API and returns the access token.
   * @param {string} name
   */
  async token(name) {
    const r = await this.api('POST', '/api/v1/auth/login', '', { username: name, password: PASSWORD });
    assert.equal(r.status, 200, r.text);
    return r.json.access_token;
  }
}
