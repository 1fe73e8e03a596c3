/*
 * TCP throughput both ways and request/response latency, measured by the
 * guest against a host-side server (bench/net.sh runs the same binary in
 * the appliance and in the Linux VM).
 *
 *   tcpbench serve MIB           on the host: port 6001 swallows what
 *                                comes, 6002 sends MIB MiB to whoever
 *                                connects, 6003 echoes; until killed
 *   tcpbench client HOST MIB N   in the guest: send MIB MiB to 6001,
 *                                receive MIB MiB from 6002, then N
 *                                64-byte round trips on 6003
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define MSG 64

static long mib;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 8)) {
		perror("tcpbench: listen");
		exit(1);
	}
	return l;
}

static void *serve_port(void *arg)
{
	int port = (int)(long)arg, l = listen_on(port), one = 1;
	static char buf[3][CHUNK];
	char *b = buf[port - 6001];
	memset(b, 'h', CHUNK);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ssize_t n;
		if (port == 6001) {
			while (read(c, b, CHUNK) > 0)
				;
		} else if (port == 6002) {
			for (long i = 0; i < mib * (1024 * 1024 / CHUNK); i++)
				if (write(c, b, CHUNK) != CHUNK)
					break;
			shutdown(c, SHUT_WR);
			while (read(c, b, CHUNK) > 0)
				;
		} else {
			while ((n = read(c, b, MSG)) > 0)
				if (write(c, b, (size_t)n) != n)
					break;
		}
		close(c);
	}
	return NULL;
}

static int connect_to(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, host, &a.sin_addr);
	for (int i = 0; i < 100; i++) { /* the server may start late */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
			int one = 1;
			setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof(one));
			return s;
		}
		close(s);
		usleep(100 * 1000);
	}
	perror("tcpbench: connect");
	exit(1);
}

static int client(const char *host, long n)
{
	static char buf[CHUNK];
	long total = mib * 1024 * 1024;
	memset(buf, 'g', sizeof(buf));

	int s = connect_to(host, 6001);
	double t0 = now();
	for (long done = 0; done < total; done += CHUNK)
		if (write(s, buf, CHUNK) != CHUNK)
			return 1;
	shutdown(s, SHUT_WR);
	while (read(s, buf, CHUNK) > 0) /* the server's close: all arrived */
		;
	printf("tcpbench: guest->host %8.1f MB/s\n",
	       (double)total / 1e6 / (now() - t0));
	close(s);

	s = connect_to(host, 6002);
	t0 = now();
	long got = 0;
	ssize_t r;
	while ((r = read(s, buf, CHUNK)) > 0)
		got += r;
	printf("tcpbench: host->guest %8.1f MB/s%s\n",
	       (double)got / 1e6 / (now() - t0),
	       got == total ? "" : " (short)");
	close(s);

	s = connect_to(host, 6003);
	t0 = now();
	for (long i = 0; i < n; i++) {
		if (write(s, buf, MSG) != MSG)
			return 1;
		for (long k = 0; k < MSG; k += r)
			if ((r = read(s, buf, MSG - (size_t)k)) <= 0)
				return 1;
	}
	printf("tcpbench: round trip  %8.1f us\n",
	       (now() - t0) / (double)n * 1e6);
	close(s);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve")) {
		mib = atol(argv[2]);
		pthread_t t[3];
		for (long p = 0; p < 3; p++)
			pthread_create(&t[p], NULL, serve_port,
				       (void *)(6001 + p));
		pthread_join(t[0], NULL);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "client")) {
		mib = atol(argv[3]);
		return client(argv[2], atol(argv[4]));
	}
	fprintf(stderr, "usage: tcpbench serve MIB | client HOST MIB N\n");
	return 2;
}
