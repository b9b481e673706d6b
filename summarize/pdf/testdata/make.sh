#!/usr/bin/env bash
# Makes the PDF reader's fixtures from plain.pdf (written by the Go test
# TestWritePlainFixture: PDF_UPDATE_FIXTURES=1 go test -run TestWritePlainFixture)
# with qpdf (Debian: apt-get install qpdf). Run from this directory.
set -euo pipefail
cd "$(dirname "$0")"
qpdf --object-streams=generate plain.pdf objstreams.pdf
qpdf --allow-weak-crypto --encrypt "" owner 40 -- plain.pdf encrypted-rc4-40.pdf
qpdf --allow-weak-crypto --encrypt "" owner 128 --use-aes=n -- plain.pdf encrypted-rc4-128.pdf
qpdf --encrypt "" owner 128 --use-aes=y -- plain.pdf encrypted-aes128.pdf
qpdf --encrypt "" owner 256 -- --object-streams=generate plain.pdf encrypted-aes256.pdf
qpdf --encrypt secret owner 256 -- plain.pdf encrypted-user.pdf
# Wrong xref offsets: every entry points 7 bytes early, so the reader must
# rebuild the table by scanning for objects.
python3 - <<'PY'
import re
b = open("plain.pdf", "rb").read()
i = b.rindex(b"xref")
head, tail = b[:i], b[i:]
tail = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % max(0, int(m.group(1)) - 7), tail)
open("broken-xref.pdf", "wb").write(head + tail)
PY
