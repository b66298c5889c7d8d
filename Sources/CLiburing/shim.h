// liburing (Debian: liburing-dev) for TernJournal. Only TernJournal imports this module.
//
// liburing.h defines _XOPEN_SOURCE before including the system headers, which renames fields
// (fd_set's __fds_bits becomes fds_bits) and makes these definitions clash with Swift's Glibc
// module in the same Swift file. Including the system headers first, with Glibc's own settings,
// keeps one definition of each.
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <time.h>
#include <sched.h>
#include <linux/swab.h>
#include <liburing.h>

// The IOSQE_* flag macros are built from enum bits and do not import into Swift.
static inline void tern_sqe_link(struct io_uring_sqe *sqe) { sqe->flags |= IOSQE_IO_LINK; }
