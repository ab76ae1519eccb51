#!/bin/sh
# run.sh: times the offline pipelines side by side on one capture, COUNT
# rounds (default 10), each round running every program once in turn, and
# prints the runs in Go benchmark format (one line per run: wall ns/op and
# flows/s, CPU time (user + system, GNU time's %U %S, 10 ms resolution)
# and flows per CPU second, peak RSS from GNU time's %M) for benchstat. On
# a shared machine the CPU figures are the steadier ones.
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
		/usr/bin/time -f '%M %U %S' -o "$t" $cmd "$cap" >/dev/null 2>/dev/null || true
		t1=$(date +%s%N)
		read -r kib usr sys <"$t"
		rm -f "$t"
		awk -v n="$name" -v ns="$((t1 - t0))" -v k="$kib" -v f="$flows" -v cpu="$usr $sys" 'BEGIN {
			split(cpu, c, " "); cs = c[1] + c[2]
			printf "BenchmarkOffline/prog=%s 1 %.0f ns/op %.0f flows/s %.0f cpu-ns/op %.0f flows/cpu-s %.2f peak-RSS-MiB\n",
				n, ns, f/(ns/1e9), cs*1e9, (cs > 0 ? f/cs : 0), k/1024 }'
	done
	i=$((i + 1))
done
