// @ts-check
// The durable audit queue and the sign-in record, in the extension's own
// IndexedDB (not chrome.storage.local, which content scripts can read).
// Entries survive a stopped worker and a closed browser; they leave the
// queue only when the server has answered for them (accepted, duplicate or
// rejected), so resending after a dropped connection is safe: the server
// deduplicates by entry id.
//
// The queue is bounded. When it is full the oldest entries are discarded
// and counted in a drop report, itself an audit entry (action "dropped")
// sent ahead of the rest, so compliance sees that, and how many, entries
// were lost. A report's count grows until the report is first handed out
// for sending; after that its id is final and further drops open a new one.
//
// Pure apart from the IndexedDB factory it is given: unit-tested in Node
// with fake-indexeddb, used in the service worker with self.indexedDB.
import { dropReport } from './audit.js';

export const DB_NAME = 'postvakt';
const DB_VERSION = 1;
export const MAX_ENTRIES = 5000;

/**
 * @param {IDBRequest} req
 * @returns {Promise<any>}
 */
function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** @param {IDBTransaction} tx */
function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

/**
 * @typedef {{report: import('./audit.js').Entry, sealed: boolean}} Drop
 */

export class Store {
  /**
   * @param {IDBFactory} idb
   * @param {{name?: string, max?: number, now?: () => Date, uuid?: () => string}} [opts]
   */
  constructor(idb, opts = {}) {
    this.idb = idb;
    this.name = opts.name || DB_NAME;
    this.max = opts.max || MAX_ENTRIES;
    this.now = opts.now || (() => new Date());
    this.uuid = opts.uuid || (() => crypto.randomUUID());
    /** @type {Promise<IDBDatabase> | null} */
    this.db = null;
  }

  /** @returns {Promise<IDBDatabase>} */
  open() {
    if (!this.db) {
      const req = this.idb.open(this.name, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        // Entries in arrival order; n is the order.
        db.createObjectStore('queue', { keyPath: 'n', autoIncrement: true });
        // Small records by name: "drops", "droppedTotal", "auth", "sync".
        db.createObjectStore('meta');
      };
      this.db = done(req);
      this.db.catch(() => { this.db = null; });
    }
    return this.db;
  }

  /**
   * Adds an entry; when the queue is full, discards the oldest and counts
   * them in the open drop report.
   * @param {import('./audit.js').Entry} entry
   * @returns {Promise<{length: number, dropped: number}>}
   */
  async add(entry) {
    const db = await this.open();
    const tx = db.transaction(['queue', 'meta'], 'readwrite');
    const q = tx.objectStore('queue');
    const meta = tx.objectStore('meta');
    const [count, drops = [], total = 0] = await Promise.all([done(q.count()), done(meta.get('drops')), done(meta.get('droppedTotal'))]);
    let dropped = 0;
    const over = count + 1 - this.max;
    if (over > 0) {
      const cur = q.openCursor();
      await new Promise((resolve, reject) => {
        cur.onerror = () => reject(cur.error);
        cur.onsuccess = () => {
          const c = cur.result;
          if (!c || dropped >= over) return resolve(undefined);
          c.delete();
          dropped++;
          c.continue();
        };
      });
      /** @type {Drop[]} */
      const ds = drops;
      const last = ds[ds.length - 1];
      if (last && !last.sealed) {
        last.report.dropped = (last.report.dropped || 0) + dropped;
      } else {
        ds.push({
          sealed: false,
          report: dropReport({ id: this.uuid(), now: this.now(), settings: { user: entry.user, unit: entry.unit || '' }, count: dropped, bundle: entry.bundle }),
        });
      }
      meta.put(ds, 'drops');
      meta.put(total + dropped, 'droppedTotal');
    }
    q.add({ entry });
    await committed(tx);
    return { length: count + 1 - dropped, dropped: total + dropped };
  }

  /**
   * The next entries to send, oldest first, drop reports ahead of them.
   * Handing out a drop report seals it: its count no longer changes.
   * With user, entries written by someone else are left for their own
   * sign-in: the server records the token's user, so sending them now
   * would put them in the wrong name. Entries with no user go with anyone.
   * @param {number} n
   * @param {string} [user]
   * @returns {Promise<import('./audit.js').Entry[]>}
   */
  async batch(n, user) {
    const db = await this.open();
    const tx = db.transaction(['queue', 'meta'], 'readwrite');
    const meta = tx.objectStore('meta');
    /** @type {Drop[]} */
    const drops = (await done(meta.get('drops'))) || [];
    const out = [];
    for (const d of drops.slice(0, n)) {
      d.sealed = true;
      out.push(d.report);
    }
    if (drops.length) meta.put(drops, 'drops');
    if (out.length < n && !user) {
      const rows = await done(tx.objectStore('queue').getAll(null, n - out.length));
      for (const r of rows) out.push(r.entry);
    } else if (out.length < n) {
      const cur = tx.objectStore('queue').openCursor();
      await new Promise((resolve, reject) => {
        cur.onerror = () => reject(cur.error);
        cur.onsuccess = () => {
          const c = cur.result;
          if (!c || out.length >= n) return resolve(undefined);
          const e = c.value.entry;
          if (!e.user || e.user === user) out.push(e);
          c.continue();
        };
      });
    }
    await committed(tx);
    return out;
  }

  /**
   * Removes the entries (and drop reports) with these ids: the server has
   * answered for them.
   * @param {string[]} ids
   */
  async remove(ids) {
    if (!ids.length) return;
    const want = new Set(ids);
    const db = await this.open();
    const tx = db.transaction(['queue', 'meta'], 'readwrite');
    const meta = tx.objectStore('meta');
    /** @type {Drop[]} */
    const drops = (await done(meta.get('drops'))) || [];
    const left = drops.filter((d) => !want.has(d.report.id));
    if (left.length !== drops.length) meta.put(left, 'drops');
    // Sent entries are the oldest, so the scan stops early in practice.
    const cur = tx.objectStore('queue').openCursor();
    let found = 0;
    await new Promise((resolve, reject) => {
      cur.onerror = () => reject(cur.error);
      cur.onsuccess = () => {
        const c = cur.result;
        if (!c || found === want.size) return resolve(undefined);
        if (want.has(c.value.entry.id)) {
          c.delete();
          found++;
        }
        c.continue();
      };
    });
    await committed(tx);
  }

  /**
   * How many entries wait for another user than this one.
   * @param {string} user
   */
  async othersWaiting(user) {
    const db = await this.open();
    const cur = db.transaction('queue', 'readonly').objectStore('queue').openCursor();
    let n = 0;
    await new Promise((resolve, reject) => {
      cur.onerror = () => reject(cur.error);
      cur.onsuccess = () => {
        const c = cur.result;
        if (!c) return resolve(undefined);
        const u = c.value.entry.user;
        if (u && u !== user) n++;
        c.continue();
      };
    });
    return n;
  }

  /** @returns {Promise<{length: number, reports: number, dropped: number}>} */
  async stats() {
    const db = await this.open();
    const tx = db.transaction(['queue', 'meta'], 'readonly');
    const [length, drops = [], dropped = 0] = await Promise.all([
      done(tx.objectStore('queue').count()), done(tx.objectStore('meta').get('drops')), done(tx.objectStore('meta').get('droppedTotal')),
    ]);
    return { length, reports: drops.length, dropped };
  }

  /** @param {string} key */
  async get(key) {
    const db = await this.open();
    return done(db.transaction('meta', 'readonly').objectStore('meta').get(key));
  }

  /**
   * @param {string} key
   * @param {any} value undefined deletes
   */
  async set(key, value) {
    const db = await this.open();
    const tx = db.transaction('meta', 'readwrite');
    if (value === undefined) tx.objectStore('meta').delete(key);
    else tx.objectStore('meta').put(value, key);
    await committed(tx);
  }
}
