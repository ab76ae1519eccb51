# ratios.awk: per-round speed ratios of run.sh output against the program
# named base (default nfct): for each round, base's time over each other
# program's, wall and CPU; prints the median and range over the rounds.
#	awk -f offline/ratios.awk runs.txt
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
BEGIN { if (base == "") base = "nfct" }
/^BenchmarkOffline/ {
	split($1, p, "="); name = p[2]; sub(/-[0-9]+$/, "", name)
	if (!(name in seen)) { seen[name] = 1; order[++np] = name }
	k = ++cnt[name]; wall[name, k] = $3; cpu[name, k] = $7
}
END {
	for (i = 1; i <= np; i++) {
		name = order[i]; if (name == base) continue
		n = 0
		for (k = 1; k <= cnt[name] && k <= cnt[base]; k++) {
			n++; rw[n] = wall[base, k] / wall[name, k]
			rc[n] = cpu[name, k] > 0 ? cpu[base, k] / cpu[name, k] : 0
		}
		lo = hi = rw[1]; for (k = 2; k <= n; k++) { if (rw[k] < lo) lo = rw[k]; if (rw[k] > hi) hi = rw[k] }
		clo = chi = rc[1]; for (k = 2; k <= n; k++) { if (rc[k] < clo) clo = rc[k]; if (rc[k] > chi) chi = rc[k] }
		printf "%-12s wall x%.2f (%.2f..%.2f)  cpu x%.2f (%.2f..%.2f)  n=%d\n", name, median(rw, n), lo, hi, median(rc, n), clo, chi, n
	}
}
