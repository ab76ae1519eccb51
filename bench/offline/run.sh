#!/bin/sh
# run.sh: times the offline pipelines side by side on one capture, COUNT
# rounds (default 10), each round running every program once in turn, and
# prints the runs in Go benchmark format (one line per run: wall ns/op,
# flows/s, peak RSS from GNU time's %M) for benchstat.
#
#	sh offline/run.sh CAPTURE FLOWS name=cmd... > runs.txt
#	benchstat -col /prog runs.txt
#
# Each cmd gets the capture as its last argument and writes to /dev/null,
# e.g. ctwire='ctwire decode -o extended,id' nfct=/tmp/nfct_decode.
set -eu
cap=$1 flows=$2
shift 2
count=${COUNT:-10}
echo "goos: linux"
echo "goarch: $(go env GOARCH)"
echo "pkg: offline"
i=0
while [ "$i" -lt "$count" ]; do
	for spec in "$@"; do
		name=${spec%%=*} cmd=${spec#*=}
		t=$(mktemp)
		t0=$(date +%s%N)
		/usr/bin/time -f '%M' -o "$t" $cmd "$cap" >/dev/null 2>/dev/null || true
		t1=$(date +%s%N)
		read -r kib <"$t"
		rm -f "$t"
		awk -v n="$name" -v ns="$((t1 - t0))" -v k="$kib" -v f="$flows" 'BEGIN {
			printf "BenchmarkOffline/prog=%s 1 %d ns/op %.0f flows/s %.2f peak-RSS-MiB\n", n, ns, f/(ns/1e9), k/1024 }'
	done
	i=$((i + 1))
done
