/*
 * nfct_snprintf: the reference for conntrack's text form, used by the
 * nfct-tagged tests of package conntrack (conntrack/nfct_cgo_test.go).
 *
 * Reads requests on stdin, each a header of four host-order uint32
 * (message length, nfct message type, output flags, use-label-map) and the
 * bytes of one ctnetlink message (nlmsghdr, nfgenmsg, attributes). Parses
 * the message with nfct_nlmsg_parse, as conntrack does, prints it with
 * nfct_snprintf_labels(NFCT_O_DEFAULT) and answers with two int64 (time(2)
 * before and after printing, the "now" of delta-time), an int32 length
 * (negative when parsing failed) and the text.
 *
 * Build: cc -o nfct_snprintf nfct_snprintf.c $(pkg-config --cflags --libs libnetfilter_conntrack)
 * Usage: nfct_snprintf [connlabel.conf]
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

static uint32_t msg[65536 / 4];
static char out[65536];

int main(int argc, char **argv)
{
	struct nfct_labelmap *map = NULL;
	uint32_t req[4];

	if (argc > 1) {
		map = nfct_labelmap_new(argv[1]);
		if (map == NULL) {
			perror("nfct_labelmap_new");
			return 1;
		}
	}
	while (fread(req, sizeof(req[0]), 4, stdin) == 4) {
		struct nf_conntrack *ct;
		int64_t before, after;
		int32_t n = -1;

		if (req[0] > sizeof(msg) || fread(msg, 1, req[0], stdin) != req[0])
			return 2;
		ct = nfct_new();
		if (ct == NULL)
			return 3;
		before = time(NULL);
		if (nfct_nlmsg_parse((const struct nlmsghdr *)msg, ct) >= 0)
			n = nfct_snprintf_labels(out, sizeof(out), ct, req[1],
						 NFCT_O_DEFAULT, req[2],
						 req[3] ? map : NULL);
		after = time(NULL);
		nfct_destroy(ct);
		fwrite(&before, sizeof(before), 1, stdout);
		fwrite(&after, sizeof(after), 1, stdout);
		fwrite(&n, sizeof(n), 1, stdout);
		if (n > 0)
			fwrite(out, 1, n, stdout);
		fflush(stdout);
	}
	if (map != NULL)
		nfct_labelmap_destroy(map);
	return 0;
}
