#ifndef CLIBEVENT_SHIM_H
#define CLIBEVENT_SHIM_H
/* libc first: event2/event-config.h defines _GNU_SOURCE, and including it
   before these makes the module see a different fd_set than SwiftGlibc. */
#include <sys/types.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <errno.h>
#include <sys/eventfd.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#endif
