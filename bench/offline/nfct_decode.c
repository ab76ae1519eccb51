/*
 * nfct_decode: the C pipeline `ctwire decode -o extended,id` is measured
 * against. It reads a pcap of LINKTYPE_NETLINK records (what ctwire writes:
 * 16-byte cooked header, then one netlink datagram), parses every conntrack
 * message with libnetfilter_conntrack's nfct_nlmsg_parse into one reused
 * struct nf_conntrack and formats it with nfct_snprintf as conntrack -L -o
 * extended,id does (NFCT_O_DEFAULT, NFCT_OF_SHOW_LAYER3 | NFCT_OF_ID),
 * writing the lines through a 64 KiB stdio buffer.
 *
 * Build: cc -O2 -o nfct_decode nfct_decode.c $(pkg-config --cflags --libs libnetfilter_conntrack)
 * Usage: nfct_decode file.pcap > out
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

static char obuf[64 << 10];

int main(int argc, char **argv)
{
	FILE *f;
	unsigned char gh[24], rh[16];
	static unsigned char rec[1 << 18];
	char line[4096];
	struct nf_conntrack *ct, *blank;
	unsigned long flows = 0;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: nfct_decode file.pcap\n");
		return 2;
	}
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (fread(gh, 1, 24, f) != 24 || *(uint32_t *)gh != 0xa1b2c3d4) {
		fprintf(stderr, "nfct_decode: not a little-endian pcap\n");
		return 2;
	}
	ct = nfct_new();
	blank = nfct_new();
	while (fread(rh, 1, 16, f) == 16) {
		uint32_t incl = *(uint32_t *)(rh + 8);
		if (incl > sizeof(rec) || fread(rec, 1, incl, f) != incl || incl < 16) {
			fprintf(stderr, "nfct_decode: bad record\n");
			return 1;
		}
		const struct nlmsghdr *nlh = (const void *)(rec + 16);
		int rem = (int)incl - 16;
		while (NLMSG_OK(nlh, rem)) {
			if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
				nfct_copy(ct, blank, NFCT_CP_OVERRIDE); /* a memcpy: clears ct */
				if (nfct_nlmsg_parse(nlh, ct) < 0) {
					fprintf(stderr, "nfct_decode: parse failed\n");
					return 1;
				}
				int n = nfct_snprintf(line, sizeof(line), ct, NFCT_T_UNKNOWN,
						      NFCT_O_DEFAULT, NFCT_OF_SHOW_LAYER3 | NFCT_OF_ID);
				line[n] = '\n';
				fwrite(line, 1, n + 1, stdout);
				flows++;
			}
			nlh = NLMSG_NEXT(nlh, rem);
		}
	}
	fflush(stdout);
	fprintf(stderr, "%lu flows\n", flows);
	nfct_destroy(ct);
	return 0;
}
