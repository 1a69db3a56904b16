// Writes lib/messages.js (an ES module) as a classic script for the content
// scripts, which cannot import modules: the same catalogue, with its
// exports gathered on globalThis.__postvaktMessages in the isolated world.
// Run by `make extension`; the content scripts' first file.
import { readFileSync } from 'node:fs';

const src = readFileSync(process.argv[2], 'utf8');
const names = [...src.matchAll(/^export (?:const|function) (\w+)/gm)].map((m) => m[1]);
const body = src.replace(/^\/\/ @ts-check\n/, '').replace(/^export /gm, '');
process.stdout.write(`// Generated from lib/messages.js by make extension; do not edit.
(() => {
  'use strict';
  if (globalThis.__postvaktMessages) return;
${body.replace(/^(?=.)/gm, '  ')}
  globalThis.__postvaktMessages = Object.freeze({ ${names.join(', ')} });
})();
`);
