#ifndef CPROCESS_H
#define CPROCESS_H

/// Asks the kernel to send `signal` to this process when the thread that
/// started it exits (prctl(PR_SET_PDEATHSIG)); prctl is variadic, which Swift
/// cannot call. Returns 0, or -1 with errno set.
int cprocess_set_parent_death_signal(int signal);

/// pipe2(fds, O_CLOEXEC): a pipe no child inherits unless asked (pipe2 needs
/// _GNU_SOURCE, which Swift's Glibc module does not define).
int cprocess_pipe_cloexec(int fds[2]);

#endif
