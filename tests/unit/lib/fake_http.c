/*
 * fake_http.c - the scripted loopback HTTP server of fake_http.h.
 */
#include "fake_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mgt.h"

/* strcasestr is not POSIX */
const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Reads one request: headers, then Content-Length bytes of body. */
void read_request(int c, char *out, size_t cap)
{
	size_t len = 0;
	long want = -1;
	while (len + 1 < cap) {
		ssize_t k = recv(c, out + len, cap - 1 - len, 0);
		if (k <= 0)
			break;
		len += (size_t)k;
		out[len] = '\0';
		char *end = strstr(out, "\r\n\r\n");
		if (end && want < 0) {
			const char *cl = find_ci(out, "\r\ncontent-length:");
			want = (long)(end + 4 - out) + (cl && cl < end ? atol(cl + 17) : 0);
		}
		if (want >= 0 && (long)len >= want)
			break;
	}
	out[len] = '\0';
}

static void *serve(void *arg)
{
	server *s = arg;
	for (size_t i = 0; i < s->n; i++) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		read_request(c, s->requests[i], sizeof s->requests[i]);
		s->got++;
		if (s->replies[i].delay_ms)
			sleep_ms(s->replies[i].delay_ms);
		const reply *r = &s->replies[i];
		char raw[4096];
		int n = snprintf(raw, sizeof raw, "%sContent-Length: %ld\r\nConnection: close\r\n\r\n%s", r->head,
				 r->length ? r->length : (long)strlen(r->body), r->body);
		send(c, raw, (size_t)n, MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

int listen_loopback(int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	MGT_EQ_INT(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	MGT_EQ_INT(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

void server_start(server *s, const reply *replies, size_t n)
{
	memset(s, 0, sizeof *s);
	s->replies = replies;
	s->n = n;
	s->fd = listen_loopback(&s->port);
	pthread_create(&s->thread, NULL, serve, s);
}

void server_stop(server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* The value of a header in a recorded request, "" when absent. */
const char *header(const char *req, const char *name, char *out, size_t cap)
{
	char pat[80];
	snprintf(pat, sizeof pat, "\r\n%s:", name);
	const char *p = find_ci(req, pat);
	out[0] = '\0';
	if (!p)
		return out;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, "\r\n");
	snprintf(out, cap, "%.*s", (int)n, p);
	return out;
}

const char *body_of(const char *req)
{
	const char *p = strstr(req, "\r\n\r\n");
	return p ? p + 4 : "";
}

