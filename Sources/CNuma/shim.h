// libnuma (Debian: libnuma-dev) for TernSystem. Only TernSystem imports this module, so a service
// that uses TernCore alone links nothing but the Swift runtime.
#include <numa.h>
#include <numaif.h>

// libnuma's set of CPUs the process may use, read once by libnuma at start-up. A global variable
// imports into Swift 6 as shared mutable state; this accessor reads it without that complaint.
static inline struct bitmask *tern_numa_all_cpus(void) { return numa_all_cpus_ptr; }
