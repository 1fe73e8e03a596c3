/*
 * The host-side libnfs peer for metadata rates (bench/nfs.sh): create,
 * stat and unlink N files through libnfs's synchronous API, one context,
 * as the guest's nfsbench does through the kernel.
 *
 *   nfsmeta nfs://SERVER/EXPORT DIR N
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <nfsc/libnfs.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: nfsmeta nfs://SERVER/EXPORT DIR N\n");
		return 2;
	}
	struct nfs_context *nfs = nfs_init_context();
	struct nfs_url *url = nfs ? nfs_parse_url_dir(nfs, argv[1]) : NULL;
	if (!url || nfs_mount(nfs, url->server, url->path)) {
		fprintf(stderr, "nfsmeta: cannot mount %s: %s\n", argv[1],
			nfs ? nfs_get_error(nfs) : "no context");
		return 1;
	}
	long n = atol(argv[3]);
	char path[512];
	nfs_mkdir(nfs, argv[2]);
	static const char *const what[] = { "create", "stat", "unlink" };
	for (int phase = 0; phase < 3; phase++) {
		double t0 = now();
		for (long i = 0; i < n; i++) {
			struct nfsfh *fh;
			struct nfs_stat_64 st;
			int r;
			snprintf(path, sizeof(path), "%s/m%ld", argv[2], i);
			if (phase == 0) {
				r = nfs_creat(nfs, path, 0644, &fh);
				if (!r)
					nfs_close(nfs, fh);
			} else if (phase == 1) {
				r = nfs_stat64(nfs, path, &st);
			} else {
				r = nfs_unlink(nfs, path);
			}
			if (r) {
				fprintf(stderr, "nfsmeta: %s %s: %s\n",
					what[phase], path, nfs_get_error(nfs));
				return 1;
			}
		}
		printf("nfsmeta: %-6s %8.0f ops/s\n", what[phase],
		       (double)n / (now() - t0));
	}
	nfs_rmdir(nfs, argv[2]);
	nfs_destroy_url(url);
	nfs_destroy_context(nfs);
	return 0;
}
