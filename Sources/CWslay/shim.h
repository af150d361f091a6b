#ifndef CWSLAY_SHIM_H
#define CWSLAY_SHIM_H
/* wslay: RFC 6455 framing with no IO or loop of its own (Debian libwslay-dev).
   Only the EventHTTP target imports this module. */
#include <wslay/wslay.h>
#endif
