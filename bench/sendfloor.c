/*
 * sendfloor: the kernel's price of one delivery on this machine, with no
 * server around it. One process accepts N loopback TCP connections from a
 * child that reads them all on one epoll thread (as `ticker bench` does);
 * the parent then sends one BYTES-byte message to every socket of one of
 * GROUPS groups per tick, RATE ticks a second, for SECONDS (scenario (a) of
 * issue 17 is 5000 10 100 10), one non-blocking sendmsg per delivery with
 * TCP_NODELAY, exactly as the server does, and prints its own CPU per send.
 *
 * A sixth argument of 0 leaves the child idle (it never reads: nothing is
 * woken), to tell the sender's own TCP work from what waking a reader on the
 * same machine adds to it.
 *
 *   cc -O2 -o /tmp/sendfloor bench/sendfloor.c && /tmp/sendfloor 5000 10 100 10 160 [0]
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(void) {
    struct rusage u; getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static void reader(int port, int n, int reads) {
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) { perror("socket (too many connections for the open-file limit?)"); exit(1); }
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
        /* several source addresses, as the bench's --sources, so ports do not run out */
        a.sin_addr.s_addr = htonl(0x7f000001);
        struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001 + 1 + i % 6) };
        bind(fd, (struct sockaddr *)&src, sizeof src);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); exit(1); }
        fcntl(fd, F_SETFL, O_NONBLOCK);
        struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
    }
    if (!reads) for (;;) pause();
    char buf[65536];
    struct epoll_event ev[256];
    for (;;) {
        int k = epoll_wait(ep, ev, 256, -1);
        for (int i = 0; i < k; i++) {
            ssize_t r = recv(ev[i].data.fd, buf, sizeof buf, 0);
            if (r == 0) exit(0);
        }
    }
}

/* As many descriptors as the hard limit allows (the soft one is often 1,024). */
static void raise_file_limit(void) {
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0) { r.rlim_cur = r.rlim_max; setrlimit(RLIMIT_NOFILE, &r); }
}

int main(int argc, char **argv) {
    raise_file_limit();
    int n = argc > 1 ? atoi(argv[1]) : 5000, groups = argc > 2 ? atoi(argv[2]) : 10;
    double rate = argc > 3 ? atof(argv[3]) : 100, seconds = argc > 4 ? atof(argv[4]) : 10;
    int bytes = argc > 5 ? atoi(argv[5]) : 160, reads = argc > 6 ? atoi(argv[6]) : 1;
    int l = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
    socklen_t al = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 4096)) { perror("listen"); return 1; }
    getsockname(l, (struct sockaddr *)&a, &al);
    pid_t child = fork();
    if (child == 0) { reader(ntohs(a.sin_port), n, reads); return 0; }
    int *fds = malloc(sizeof(int) * n);
    /* accept() gives up after 10 s without a connection (the reader died). */
    struct timeval patience = { 10, 0 };
    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    for (int i = 0; i < n; i++) {
        fds[i] = accept(l, NULL, NULL);
        if (fds[i] < 0) { perror("accept (did the reader fail to connect?)"); kill(child, SIGTERM); return 1; }
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
    }
    char *msg = malloc(bytes);
    memset(msg, 'x', bytes);
    long sends = 0, partial = 0;
    double start = now(), c0 = cpu();
    for (long tick = 0; tick < (long)(rate * seconds); tick++) {
        double due = start + tick / rate, wait = due - now();
        if (wait > 0) usleep((useconds_t)(wait * 1e6));
        for (int i = (int)(tick % groups); i < n; i += groups) {
            struct iovec v = { msg, bytes };
            struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
            ssize_t r = sendmsg(fds[i], &m, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (r != bytes) partial++;
            sends++;
        }
    }
    double used = cpu() - c0, took = now() - start;
    printf("{\"connections\":%d,\"groups\":%d,\"rate\":%.0f,\"bytes\":%d,\"sends\":%ld,\"partial\":%ld,"
           "\"reader\":\"%s\",\"seconds\":%.2f,\"cpu_us_per_send\":%.2f}\n", n, groups, rate, bytes, sends, partial,
           reads ? "reads" : "idle", took, used / sends * 1e6);
    for (int i = 0; i < n; i++) close(fds[i]);
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
    return 0;
}
