/*
 * fake_http.h - a scripted HTTP server on a loopback port, in a thread, for
 * the AWS client's tests, and the request helpers a test's own stateful
 * fake (test_s3policy_backend) reads with: it accepts one connection per reply, records the
 * request (headers and Content-Length bytes of body), waits delay_ms, sends
 * the reply with Connection: close, and ends after its replies or when
 * stopped.
 */
#ifndef MGT_FAKE_HTTP_H
#define MGT_FAKE_HTTP_H

#include <pthread.h>
#include <stddef.h>

typedef struct reply {
	const char *head;  /* status line and headers, each ending in CRLF */
	const char *body;
	long delay_ms;     /* before answering */
	long length;       /* Content-Length to claim; 0: the body's */
} reply;

#define MAX_REPLIES 8

typedef struct server {
	int fd, port;
	const reply *replies;
	size_t n;
	char requests[MAX_REPLIES][8192];
	size_t got;
	pthread_t thread;
} server;

void server_start(server *s, const reply *replies, size_t n);
/* A TCP socket listening on 127.0.0.1 at a free port: its descriptor, and the port in *port. */
int listen_loopback(int *port);
/* Waits for the thread (it ends after its replies, or when the socket is shut). */
void server_stop(server *s);

/* strcasestr, which is not POSIX */
const char *find_ci(const char *hay, const char *needle);
/* The value of a header in a recorded request, "" when absent. */
const char *header(const char *req, const char *name, char *out, size_t cap);
/* The body of a recorded request. */
const char *body_of(const char *req);
/* Reads one request from socket c into out (NUL-terminated): headers and Content-Length bytes of body. */
void read_request(int c, char *out, size_t cap);
void sleep_ms(long ms);

#endif
