#ifndef SITEGEN_SUPPORT_H
#define SITEGEN_SUPPORT_H

/// Atomically exchanges two paths (Linux renameat2 RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (e.g. ENOSYS, EINVAL on file systems without support).
int sitegen_exchange_paths(const char *a, const char *b);

#endif
