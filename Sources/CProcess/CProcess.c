#define _GNU_SOURCE
#include "CProcess.h"
#include <fcntl.h>
#include <unistd.h>
#include <sys/prctl.h>

int cprocess_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

int cprocess_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
