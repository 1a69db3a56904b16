// @ts-check
// A parser of the text/event-stream format (the WHATWG HTML "server-sent
// events" rules), fed with decoded chunks as they arrive. EventSource
// itself cannot send an Authorization header, so the stream is read with
// fetch and parsed here. Pure: unit-tested in Node.

export class SSEParser {
  /** @param {(ev: {event: string, data: string, id: string}) => void} onEvent */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buf = '';
    this.event = '';
    /** @type {string[]} */
    this.data = [];
    this.lastId = '';
    /** The reconnection time the server asked for, in ms (0: not set). */
    this.retry = 0;
  }

  /** @param {string} chunk */
  push(chunk) {
    this.buf += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      // A lone \r at the end of the buffer may be the first half of \r\n.
      if (m[0] === '\r' && m.index === this.buf.length - 1) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
    // Bound memory against a server that never ends a line.
    if (this.buf.length > 1 << 20) this.buf = '';
  }

  /** @param {string} line */
  line(line) {
    if (line === '') {
      if (this.data.length) {
        this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.lastId });
      }
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a comment: heartbeat
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event': this.event = value; break;
      case 'data': this.data.push(value); break;
      case 'id': if (!value.includes('\0')) this.lastId = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
      default: break;
    }
  }
}
