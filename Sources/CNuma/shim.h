// libnuma (Debian: libnuma-dev) for TernSystem. Only TernSystem imports this module, so a service
// that uses TernCore alone links nothing but the Swift runtime.
#include <numa.h>
#include <numaif.h>
