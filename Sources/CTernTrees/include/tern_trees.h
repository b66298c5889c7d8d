// The top levels of the tree walk, for CPUs with AVX-512 VBMI. Swift has no spelling for a byte
// permute (`vpermi2b`) and no per-function target features, so this one kernel is C with
// intrinsics, compiled for AVX-512 inside a function attribute and chosen at run time
// (`ctern_trees_avx512_available`); everything else stays in Swift. Internal to TernInference.
#ifndef TERN_TREES_H
#define TERN_TREES_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU and OS run `ctern_trees_top_avx512` (AVX-512 F, BW and VBMI, zmm state enabled).
int ctern_trees_avx512_available(void);

/// Resolves the first `depth` levels (1…6) of `trees` trees, 64 at a time and every node of those
/// levels at once, and says where each tree's walk goes on.
///
/// Each tree's first `depth` levels are laid out as a complete tree: position p's children are
/// 2p + 1 and 2p + 2, and `positions = 2^depth - 1`. For block b (trees 64b …), position p, lane l:
/// - `slots[(b * positions + p) * 64 + l]`: the code slot the tree reads there (below 128);
/// - `thresholds[...]`: its threshold; the row goes right when `codes[slot] > threshold`.
/// Positions below a leaf hold anything: every exit below a leaf names that leaf.
/// `exits[t << depth | path]`, for tree t and `path` (the `depth` decisions, the first in the
/// highest bit), is where its walk goes on: the node (absolute) in bits 0–25 and the height of the
/// subtree below it (0 at a leaf) in bits 26–31. It is copied to `starts[t]`. The trees with
/// steps left are listed, in order, by how many they have left (1, 2, 3–4, 5 or more), in four
/// lists: list c starts at `pending + c * (trees + 16)`, and its length goes to `counts[c]`.
/// `codes` is the row's codes; 128 bytes are read whatever the slot count.
void ctern_trees_top_avx512(const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,
                            unsigned depth, size_t trees, const uint8_t *codes, uint32_t *starts,
                            uint32_t *pending, size_t *counts);

/// The batch counterpart: the first `depth` levels of one tree, `tree`, for up to 64 rows at once,
/// from the same `slots`, `thresholds` and `exits`. `columns[slot * 64 + r]` is row r's code at
/// `slot` (the block's codes stored by column; every slot the tables name is read for all 64
/// rows). Row r's exit goes to `starts[r]`, for r < `rows`, and the rows with steps left to the
/// four lists at `pending + c * 80`, lengths in `counts[c]`.
void ctern_trees_rows_top_avx512(const uint8_t *slots, const uint8_t *thresholds, const uint32_t *exits,
                                 unsigned depth, size_t tree, const uint8_t *columns, size_t rows, uint32_t *starts,
                                 uint32_t *pending, size_t *counts);

#endif
