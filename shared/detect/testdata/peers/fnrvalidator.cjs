// Reads 11-digit numbers, one a line, from the file named by argv[2] and
// prints NAV's verdict on each, «valid» or «invalid», one a line. Run by
// TestPeerFnrvalidator in shared/detect (peers_test.go).
'use strict';
const fs = require('fs');
const path = require('path');
const { idnr } = require(path.join(process.argv[3], 'node_modules', '@navikt', 'fnrvalidator'));
const out = [];
for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (line !== '') out.push(idnr(line).status);
}
process.stdout.write(out.join('\n') + '\n');
