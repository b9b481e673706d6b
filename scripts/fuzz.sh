#!/usr/bin/env bash
# Runs every fuzz target of Linkbrief for a bounded time each.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
# A failure leaves its input in the package's testdata/fuzz/<Target>/ and
# makes the script exit non-zero; commit that input as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
per=${1:-30}
status=0
while IFS=: read -r file target; do
	pkg=./$(dirname "$file")
	echo "== $pkg $target (${per}s)"
	if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${per}s"; then
		status=1
	fi
done < <(grep -rho --include='*_test.go' -H '^func Fuzz[A-Za-z0-9_]*' . \
	| sed 's#^\./##; s#:func #:#' | sort -u)
exit $status
