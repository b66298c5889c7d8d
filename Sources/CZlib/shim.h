// zlib (Debian: zlib1g-dev) for TernMarketData's gzip captures (`.gz`) and zip archives (`.zip`).
// Only TernMarketData imports this module.
#include <zlib.h>

// inflateInit2 is a macro (it passes the library version and stream size) and does not import.
static inline int tern_inflate_init2(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
