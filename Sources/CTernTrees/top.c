#include "tern_trees.h"

#if defined(__x86_64__)
#include <immintrin.h>

int ctern_trees_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi");
}

#define KERNEL __attribute__((target("avx512f,avx512bw,avx512vbmi"), always_inline)) static inline

/// Whether each of the block's 64 trees goes right at position `p`: 0xFF or 0 per byte.
KERNEL __m512i decide(const uint8_t *slots, const uint8_t *thresholds, unsigned p, __m512i lo, __m512i hi) {
    const __m512i slot = _mm512_loadu_si512((const void *)(slots + p * 64));
    const __m512i threshold = _mm512_loadu_si512((const void *)(thresholds + p * 64));
    const __m512i code = _mm512_permutex2var_epi8(lo, slot, hi);
    return _mm512_movm_epi8(_mm512_cmpgt_epu8_mask(code, threshold));
}

/// The decision at level `level` for the nodes `first ..< first + 2^k` of that level, each lane
/// choosing by its own earlier decisions `bits[level - k] …`: a mux tree, depth first, so at most
/// `k` partial results are live. One function per k: clang does not inline recursion.
KERNEL __m512i select_0(const uint8_t *slots, const uint8_t *thresholds, unsigned level, unsigned first,
                        const __m512i *bits, __m512i lo, __m512i hi) {
    (void)bits;
    return decide(slots, thresholds, (1u << level) - 1 + first, lo, hi);
}

// bits ? right : left, per bit (0xCA: a ? b : c with a = bits, b = right, c = left).
#define SELECT(K, J)                                                                               \
    KERNEL __m512i select_##K(const uint8_t *slots, const uint8_t *thresholds, unsigned level,     \
                              unsigned first, const __m512i *bits, __m512i lo, __m512i hi) {       \
        const __m512i left = select_##J(slots, thresholds, level, first, bits, lo, hi);           \
        const __m512i right = select_##J(slots, thresholds, level, first + (1u << J), bits, lo, hi); \
        return _mm512_ternarylogic_epi64(bits[level - K], right, left, 0xCA);                     \
    }
SELECT(1, 0)
SELECT(2, 1)
SELECT(3, 2)
SELECT(4, 3)
SELECT(5, 4)

KERNEL __m512i select_level(const uint8_t *slots, const uint8_t *thresholds, unsigned level,
                            const __m512i *bits, __m512i lo, __m512i hi) {
    switch (level) {
    case 0: return select_0(slots, thresholds, 0, 0, bits, lo, hi);
    case 1: return select_1(slots, thresholds, 1, 0, bits, lo, hi);
    case 2: return select_2(slots, thresholds, 2, 0, bits, lo, hi);
    case 3: return select_3(slots, thresholds, 3, 0, bits, lo, hi);
    case 4: return select_4(slots, thresholds, 4, 0, bits, lo, hi);
    default: return select_5(slots, thresholds, 5, 0, bits, lo, hi);
    }
}

/// Files 16 lanes' exits: `exit` goes to `starts` (where `valid`), and the lanes with steps left
/// are appended, as `ids`, by how many (1, 2, 3–4, 5 or more) to the four `pending` lists (a
/// compress, not a branch per lane).
KERNEL void file_16(__m512i exit, __m512i ids, __mmask16 valid, uint32_t *starts, uint32_t *pending,
                    size_t stride, size_t *counts) {
    _mm512_mask_storeu_epi32((void *)starts, valid, exit);
    const __m512i height = _mm512_srli_epi32(exit, 26);
    const __mmask16 one = _mm512_mask_cmpeq_epu32_mask(valid, height, _mm512_set1_epi32(1));
    const __mmask16 two = _mm512_mask_cmpeq_epu32_mask(valid, height, _mm512_set1_epi32(2));
    const __mmask16 four = _mm512_mask_cmpeq_epu32_mask(valid, _mm512_srli_epi32(_mm512_add_epi32(height, _mm512_set1_epi32(1)), 1),
                                                         _mm512_set1_epi32(2));
    const __mmask16 more = _mm512_mask_cmpgt_epu32_mask(valid, height, _mm512_set1_epi32(4));
    const __mmask16 classes[4] = {one, two, four, more};
#pragma clang loop unroll(full)
    for (int c = 0; c < 4; c++) {
        _mm512_storeu_si512((void *)(pending + c * stride + counts[c]), _mm512_maskz_compress_epi32(classes[c], ids));
        counts[c] += (size_t)__builtin_popcount(classes[c]);
    }
}

/// The exits of 16 lanes of the block: each lane's own table, gathered.
KERNEL void exits_16(__m128i paths, unsigned chunk, unsigned depth, const uint32_t *exits, uint32_t first,
                     __mmask16 valid, uint32_t *starts, uint32_t *pending, size_t stride, size_t *counts) {
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i lane = _mm512_add_epi32(iota, _mm512_set1_epi32((int)(chunk * 16)));
    const __m512i index = _mm512_or_si512(_mm512_sllv_epi32(lane, _mm512_set1_epi32((int)depth)),
                                          _mm512_cvtepu8_epi32(paths));
    const __m512i exit = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), valid, index, (const void *)exits, 4);
    file_16(exit, _mm512_add_epi32(lane, _mm512_set1_epi32((int)first)), valid, starts + chunk * 16, pending, stride,
            counts);
}

KERNEL void top_block(const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,
                      unsigned depth, __m512i lo, __m512i hi, uint32_t first, unsigned lanes,
                      uint32_t *starts, uint32_t *pending, size_t stride, size_t *counts) {
    __m512i bits[6];
    __m512i path = _mm512_setzero_si512();
#pragma clang loop unroll(full)
    for (unsigned level = 0; level < depth; level++) {
        bits[level] = select_level(slots, thresholds, level, bits, lo, hi);
        path = _mm512_or_si512(path, _mm512_and_si512(bits[level], _mm512_set1_epi8((char)(1u << (depth - 1 - level)))));
    }
    const uint64_t valid = lanes >= 64 ? ~0ull : (1ull << lanes) - 1;
    exits_16(_mm512_extracti32x4_epi32(path, 0), 0, depth, exits, first, (__mmask16)valid, starts, pending, stride, counts);
    exits_16(_mm512_extracti32x4_epi32(path, 1), 1, depth, exits, first, (__mmask16)(valid >> 16), starts, pending, stride, counts);
    exits_16(_mm512_extracti32x4_epi32(path, 2), 2, depth, exits, first, (__mmask16)(valid >> 32), starts, pending, stride, counts);
    exits_16(_mm512_extracti32x4_epi32(path, 3), 3, depth, exits, first, (__mmask16)(valid >> 48), starts, pending, stride, counts);
}

#define TOP(D)                                                                                     \
    __attribute__((target("avx512f,avx512bw,avx512vbmi"))) static void top_##D(                   \
        const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,                   \
        size_t trees, const uint8_t *codes, uint32_t *starts, uint32_t *pending, size_t *counts) { \
        const __m512i lo = _mm512_loadu_si512((const void *)codes);                               \
        const __m512i hi = _mm512_loadu_si512((const void *)(codes + 64));                        \
        const size_t positions = (1u << D) - 1;                                                   \
        const size_t stride = trees + 16;                                                         \
        counts[0] = counts[1] = counts[2] = counts[3] = 0;                                        \
        for (size_t b = 0; b * 64 < trees; b++) {                                                 \
            const size_t left = trees - b * 64;                                                   \
            top_block(slots + b * positions * 64, thresholds + b * positions * 64,                \
                      exits + (b * 64 << D), D, lo, hi, (uint32_t)(b * 64),                       \
                      left < 64 ? (unsigned)left : 64, starts + b * 64, pending, stride, counts); \
        }                                                                                         \
    }
TOP(1)
TOP(2)
TOP(3)
TOP(4)
TOP(5)
TOP(6)

void ctern_trees_top_avx512(const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,
                            unsigned depth, size_t trees, const uint8_t *codes, uint32_t *starts,
                            uint32_t *pending, size_t *counts) {
    switch (depth) {
    case 1: top_1(slots, thresholds, exits, trees, codes, starts, pending, counts); break;
    case 2: top_2(slots, thresholds, exits, trees, codes, starts, pending, counts); break;
    case 3: top_3(slots, thresholds, exits, trees, codes, starts, pending, counts); break;
    case 4: top_4(slots, thresholds, exits, trees, codes, starts, pending, counts); break;
    case 5: top_5(slots, thresholds, exits, trees, codes, starts, pending, counts); break;
    case 6: top_6(slots, thresholds, exits, trees, codes, starts, pending, counts); break;
    default: counts[0] = counts[1] = counts[2] = counts[3] = 0; break;
    }
}

// MARK: the batch path: one tree, 64 rows

/// Whether each of the 64 rows goes right at position `p` of one tree: one bit per row. The
/// block's codes are stored by column, so a slot's 64 codes are one load.
KERNEL uint64_t decide_rows(const uint8_t *slots, const uint8_t *thresholds, unsigned p, const uint8_t *columns) {
    const __m512i code = _mm512_loadu_si512((const void *)(columns + (size_t)slots[p * 64] * 64));
    return _mm512_cmpgt_epu8_mask(code, _mm512_set1_epi8((char)thresholds[p * 64]));
}

KERNEL uint64_t rows_0(const uint8_t *slots, const uint8_t *thresholds, unsigned level, unsigned first,
                       const uint64_t *bits, const uint8_t *columns) {
    (void)bits;
    return decide_rows(slots, thresholds, (1u << level) - 1 + first, columns);
}

// The same mux tree as `select_K`, on 64-bit masks.
#define ROWS(K, J)                                                                                 \
    KERNEL uint64_t rows_##K(const uint8_t *slots, const uint8_t *thresholds, unsigned level,       \
                             unsigned first, const uint64_t *bits, const uint8_t *columns) {       \
        const uint64_t left = rows_##J(slots, thresholds, level, first, bits, columns);           \
        const uint64_t right = rows_##J(slots, thresholds, level, first + (1u << J), bits, columns); \
        return (bits[level - K] & right) | (~bits[level - K] & left);                             \
    }
ROWS(1, 0)
ROWS(2, 1)
ROWS(3, 2)
ROWS(4, 3)
ROWS(5, 4)

KERNEL uint64_t rows_level(const uint8_t *slots, const uint8_t *thresholds, unsigned level, const uint64_t *bits,
                           const uint8_t *columns) {
    switch (level) {
    case 0: return rows_0(slots, thresholds, 0, 0, bits, columns);
    case 1: return rows_1(slots, thresholds, 1, 0, bits, columns);
    case 2: return rows_2(slots, thresholds, 2, 0, bits, columns);
    case 3: return rows_3(slots, thresholds, 3, 0, bits, columns);
    case 4: return rows_4(slots, thresholds, 4, 0, bits, columns);
    default: return rows_5(slots, thresholds, 5, 0, bits, columns);
    }
}

/// The exits of 16 rows, looked up in one tree's table held in four registers (`t0 … t3`, 64
/// entries): two permutes and a blend, where a gather would be 16 loads.
KERNEL void rows_exits_16(__m128i paths, unsigned chunk, __m512i t0, __m512i t1, __m512i t2, __m512i t3,
                          __mmask16 valid, uint32_t *starts, uint32_t *pending, size_t *counts) {
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i index = _mm512_cvtepu8_epi32(paths);
    const __m512i low = _mm512_permutex2var_epi32(t0, index, t1);
    const __m512i high = _mm512_permutex2var_epi32(t2, index, t3);
    const __m512i exit = _mm512_mask_blend_epi32(_mm512_test_epi32_mask(index, _mm512_set1_epi32(32)), low, high);
    file_16(exit, _mm512_add_epi32(iota, _mm512_set1_epi32((int)(chunk * 16))), valid, starts + chunk * 16, pending,
            64 + 16, counts);
}

/// The first D levels of one tree for a block's rows; the tree's exit table (2^D entries) is
/// loaded once, masked so no load reads past it.
#define ROWS_TOP(D)                                                                                \
    __attribute__((target("avx512f,avx512bw,avx512vbmi"))) static void rows_top_##D(              \
        const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits, size_t tree,      \
        const uint8_t *columns, size_t rows, uint32_t *starts, uint32_t *pending, size_t *counts) { \
        const size_t positions = (1u << D) - 1;                                                   \
        const uint8_t *s = slots + (tree / 64) * positions * 64 + tree % 64;                      \
        const uint8_t *h = thresholds + (tree / 64) * positions * 64 + tree % 64;                 \
        uint64_t bits[6];                                                                         \
        __m512i path = _mm512_setzero_si512();                                                    \
        _Pragma("clang loop unroll(full)") for (unsigned level = 0; level < D; level++) {         \
            bits[level] = rows_level(s, h, level, bits, columns);                                 \
            path = _mm512_or_si512(path, _mm512_maskz_mov_epi8(bits[level],                      \
                                                               _mm512_set1_epi8((char)(1u << (D - 1 - level))))); \
        }                                                                                         \
        const uint32_t *table = exits + (tree << D);                                              \
        const unsigned entries = 1u << D;                                                         \
        const __m512i t0 = _mm512_maskz_loadu_epi32(entries >= 16 ? 0xFFFF : (__mmask16)((1u << entries) - 1), table); \
        const __m512i t1 = entries > 16 ? _mm512_loadu_si512((const void *)(table + 16)) : _mm512_setzero_si512(); \
        const __m512i t2 = entries > 32 ? _mm512_loadu_si512((const void *)(table + 32)) : _mm512_setzero_si512(); \
        const __m512i t3 = entries > 32 ? _mm512_loadu_si512((const void *)(table + 48)) : _mm512_setzero_si512(); \
        const uint64_t valid = rows >= 64 ? ~0ull : (1ull << rows) - 1;                           \
        counts[0] = counts[1] = counts[2] = counts[3] = 0;                                        \
        rows_exits_16(_mm512_extracti32x4_epi32(path, 0), 0, t0, t1, t2, t3, (__mmask16)valid, starts, pending, counts); \
        rows_exits_16(_mm512_extracti32x4_epi32(path, 1), 1, t0, t1, t2, t3, (__mmask16)(valid >> 16), starts, pending, counts); \
        rows_exits_16(_mm512_extracti32x4_epi32(path, 2), 2, t0, t1, t2, t3, (__mmask16)(valid >> 32), starts, pending, counts); \
        rows_exits_16(_mm512_extracti32x4_epi32(path, 3), 3, t0, t1, t2, t3, (__mmask16)(valid >> 48), starts, pending, counts); \
    }
ROWS_TOP(1)
ROWS_TOP(2)
ROWS_TOP(3)
ROWS_TOP(4)
ROWS_TOP(5)
ROWS_TOP(6)

void ctern_trees_rows_top_avx512(const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,
                                 unsigned depth, size_t tree, const uint8_t *columns, size_t rows, uint32_t *starts,
                                 uint32_t *pending, size_t *counts) {
    switch (depth) {
    case 1: rows_top_1(slots, thresholds, exits, tree, columns, rows, starts, pending, counts); break;
    case 2: rows_top_2(slots, thresholds, exits, tree, columns, rows, starts, pending, counts); break;
    case 3: rows_top_3(slots, thresholds, exits, tree, columns, rows, starts, pending, counts); break;
    case 4: rows_top_4(slots, thresholds, exits, tree, columns, rows, starts, pending, counts); break;
    case 5: rows_top_5(slots, thresholds, exits, tree, columns, rows, starts, pending, counts); break;
    case 6: rows_top_6(slots, thresholds, exits, tree, columns, rows, starts, pending, counts); break;
    default: counts[0] = counts[1] = counts[2] = counts[3] = 0; break;
    }
}

#else

int ctern_trees_avx512_available(void) { return 0; }

void ctern_trees_top_avx512(const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,
                            unsigned depth, size_t trees, const uint8_t *codes, uint32_t *starts,
                            uint32_t *pending, size_t *counts) {
    (void)slots; (void)thresholds; (void)exits; (void)depth; (void)trees; (void)codes; (void)starts;
    (void)pending;
    counts[0] = counts[1] = counts[2] = counts[3] = 0;
}

void ctern_trees_rows_top_avx512(const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,
                                 unsigned depth, size_t tree, const uint8_t *columns, size_t rows, uint32_t *starts,
                                 uint32_t *pending, size_t *counts) {
    (void)slots; (void)thresholds; (void)exits; (void)depth; (void)tree; (void)columns; (void)rows; (void)starts;
    (void)pending;
    counts[0] = counts[1] = counts[2] = counts[3] = 0;
}

#endif
