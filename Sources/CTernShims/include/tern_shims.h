// The few helpers Swift cannot express itself: CPU instructions without a Swift spelling (pause,
// rdtsc, cpuid, prefetch) and the CPU_SET macros, which do not import. Internal to TernSystem and
// TernRisk; not API.
#ifndef TERN_SHIMS_H
#define TERN_SHIMS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#include <cpuid.h>
#endif

/// One spin-wait hint: `pause` on x86 (lets the sibling hyperthread run and avoids the memory-order
/// machine clear on loop exit), `isb` on aarch64 (a longer, more predictable delay than `yield`).
static inline __attribute__((always_inline)) void ctern_cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("isb" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/// A software prefetch of the cache line holding `address` into all cache levels, for reading
/// (`prefetcht0` on x86, `prfm pldl1keep` on aarch64). A hint: it never faults.
static inline __attribute__((always_inline)) void ctern_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// The same for a line about to be written (`prefetchw` where the CPU has it).
static inline __attribute__((always_inline)) void ctern_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// The CPU's time-stamp counter (x86 `rdtsc`; aarch64 `cntvct_el0`). Not serializing.
static inline __attribute__((always_inline)) uint64_t ctern_read_tsc(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#elif defined(__aarch64__)
    uint64_t value;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
    return value;
#else
    return 0;
#endif
}

/// `rdtscp`: waits for earlier instructions to finish before reading the counter, and returns the
/// TSC_AUX value (Linux stores the CPU and node number there) through `aux`.
static inline __attribute__((always_inline)) uint64_t ctern_read_tscp(uint32_t *aux) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int a;
    uint64_t value = __rdtscp(&a);
    *aux = a;
    return value;
#else
    *aux = 0;
    return ctern_read_tsc();
#endif
}

/// Whether the CPU says its TSC is invariant (constant rate in all P-, C- and T-states):
/// CPUID leaf 0x80000007, EDX bit 8. Always 1 on aarch64, whose generic timer is constant-rate.
static inline int ctern_tsc_is_invariant(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int eax, ebx, ecx, edx;
    if (__get_cpuid_max(0x80000000u, 0) < 0x80000007u) return 0;
    __cpuid(0x80000007u, eax, ebx, ecx, edx);
    return (edx >> 8) & 1;
#elif defined(__aarch64__)
    return 1;
#else
    return 0;
#endif
}

/// Pins the calling thread to one CPU. Returns 0 or an errno value.
int ctern_pin_current_thread(int cpu);

/// Writes the calling thread's allowed CPUs as a bit mask into `words` (bit i of word i/64 is
/// CPU i), `count` words at most. Returns the number of CPUs allowed, or -errno.
int ctern_current_thread_affinity(uint64_t *words, int count);

/// Sets the calling thread's allowed CPUs from a bit mask (bit i of word i/64 is CPU i).
/// Returns 0 or an errno value.
int ctern_set_current_thread_affinity(const uint64_t *words, int count);

/// Restricts a thread-creation attribute set to one CPU. Returns 0 or an errno value.
int ctern_attr_set_cpu(pthread_attr_t *attributes, int cpu);

/// The CPU the calling thread is running on now, or -errno.
int ctern_current_cpu(void);

/// Sets the calling thread's name as `top` and `ps -L` show it (at most 15 bytes are kept).
/// Returns 0 or an errno value.
int ctern_set_current_thread_name(const char *name);

/// CRC-32C (Castagnoli, the iSCSI/ext4 polynomial 0x1EDC6F41, reflected) of `count` bytes,
/// continuing from `crc` (start with 0). Uses the SSE4.2 `crc32` instruction when the CPU has it
/// (checked once), else a table. RFC 3720's check value: crc32c("123456789") = 0xE3069283.
uint32_t ctern_crc32c(uint32_t crc, const void *bytes, size_t count);
/// The table implementation alone (for tests that compare it with the instruction).
uint32_t ctern_crc32c_software(uint32_t crc, const void *bytes, size_t count);

/// The C ABI's per-thread error message (tern_last_error): stores a copy of `count` bytes
/// (truncated to 1023) and a NUL in the calling thread's buffer.
void ctern_error_set(const char *bytes, size_t count);
/// The calling thread's message ("" before the first `ctern_error_set`).
const char *ctern_error_get(void);

#endif
