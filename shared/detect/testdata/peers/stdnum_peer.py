"""Reads lines «kind number» from the file named by argv[1] and prints
python-stdnum's verdict on each («1» or «0»), one a line. Kinds: fnr
(stdnum.no.fodselsnummer), konto (stdnum.no.kontonr), iban (stdnum.iban).
Run by TestPeerStdnum in shared/detect (peers_test.go)."""
import sys
from stdnum import iban
from stdnum.no import fodselsnummer, kontonr

check = {'fnr': fodselsnummer.is_valid, 'konto': kontonr.is_valid, 'iban': iban.is_valid}
out = []
with open(sys.argv[1], encoding='utf-8') as f:
    for line in f:
        kind, number = line.rstrip('\n').split(' ', 1)
        out.append('1' if check[kind](number) else '0')
sys.stdout.write('\n'.join(out) + '\n')
