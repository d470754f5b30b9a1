#ifndef CTCMALLOC_SHIM_H
#define CTCMALLOC_SHIM_H
// gperftools' tcmalloc (Debian: libgoogle-perftools-dev). Linking it into the sitegen executable replaces
// malloc and free for the whole process (see Package.swift); `tc_version` lets a test check it is there.
#include <gperftools/tcmalloc.h>
#endif
