#define _GNU_SOURCE
#include "tern_shims.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

int ctern_pin_current_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int ctern_current_thread_affinity(uint64_t *words, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    int rc = pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
    if (rc != 0) return -rc;
    memset(words, 0, sizeof(uint64_t) * (size_t)count);
    int allowed = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu / 64 < count; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            words[cpu / 64] |= (uint64_t)1 << (cpu % 64);
            allowed++;
        }
    }
    return allowed;
}

int ctern_current_cpu(void) {
    int cpu = sched_getcpu();
    return cpu < 0 ? -errno : cpu;
}

int ctern_set_current_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = 0;
    return pthread_setname_np(pthread_self(), truncated);
}

int ctern_set_current_thread_affinity(const uint64_t *words, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu / 64 < count; cpu++) {
        if ((words[cpu / 64] >> (cpu % 64)) & 1) CPU_SET(cpu, &set);
    }
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int ctern_attr_set_cpu(pthread_attr_t *attributes, int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_attr_setaffinity_np(attributes, sizeof(set), &set);
}

// MARK: - CRC-32C

static uint32_t crc32c_table[8][256];
static int crc32c_mode; // 1 table, 2 SSE4.2 (set once by crc32c_setup)

static void crc32c_init_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc32c_table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = crc32c_table[0][n];
        for (int t = 1; t < 8; t++) {
            c = crc32c_table[0][c & 0xFF] ^ (c >> 8);
            crc32c_table[t][n] = c;
        }
    }
}

static uint32_t crc32c_software(uint32_t crc, const unsigned char *p, size_t n) {
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = crc32c_table[7][w & 0xFF] ^ crc32c_table[6][(w >> 8) & 0xFF] ^ crc32c_table[5][(w >> 16) & 0xFF]
            ^ crc32c_table[4][(w >> 24) & 0xFF] ^ crc32c_table[3][(w >> 32) & 0xFF] ^ crc32c_table[2][(w >> 40) & 0xFF]
            ^ crc32c_table[1][(w >> 48) & 0xFF] ^ crc32c_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = crc32c_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hardware(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void crc32c_setup(void) {
    crc32c_init_table();
    crc32c_mode = 1;
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSE4_2)) crc32c_mode = 2;
#endif
}

uint32_t ctern_crc32c(uint32_t crc, const void *bytes, size_t count) {
    pthread_once(&crc32c_once, crc32c_setup);
#if defined(__x86_64__)
    if (crc32c_mode == 2) return ~crc32c_hardware(~crc, (const unsigned char *)bytes, count);
#endif
    return ~crc32c_software(~crc, (const unsigned char *)bytes, count);
}

uint32_t ctern_crc32c_software(uint32_t crc, const void *bytes, size_t count) {
    pthread_once(&crc32c_once, crc32c_setup);
    return ~crc32c_software(~crc, (const unsigned char *)bytes, count);
}

// MARK: The C ABI's thread-local error message.

static _Thread_local char ctern_error_buffer[1024];

void ctern_error_set(const char *bytes, size_t count) {
    if (count > sizeof ctern_error_buffer - 1) count = sizeof ctern_error_buffer - 1;
    if (count > 0) memcpy(ctern_error_buffer, bytes, count);
    ctern_error_buffer[count] = 0;
}

const char *ctern_error_get(void) { return ctern_error_buffer; }
