#define _GNU_SOURCE
#include "sitegen_support.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#endif

int sitegen_exchange_paths(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

static volatile sig_atomic_t interrupt_fd = -1;

static void sitegen_on_interrupt(int number) {
    int fd = interrupt_fd;
    if (fd >= 0) {
        unsigned char byte = (unsigned char)number;
        ssize_t written = write(fd, &byte, 1);  /* async-signal-safe */
        (void)written;
    }
}

void sitegen_catch_interrupts(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sitegen_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    interrupt_fd = fd;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

void sitegen_default_interrupts(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    interrupt_fd = -1;
}

int sitegen_contains(const void *haystack, size_t count, const char *needle, size_t length) {
    return memmem(haystack, count, needle, length) != NULL;
}
