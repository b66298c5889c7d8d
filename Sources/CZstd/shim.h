// libzstd (Debian: libzstd-dev) for TernMarketData's Databento DBN files (`.dbn.zst`).
// Only TernMarketData imports this module.
#include <zstd.h>
