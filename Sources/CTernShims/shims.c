#define _GNU_SOURCE
#include "tern_shims.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

int tern_pin_current_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int tern_current_thread_affinity(uint64_t *words, int count) {
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

int tern_current_cpu(void) {
    int cpu = sched_getcpu();
    return cpu < 0 ? -errno : cpu;
}

int tern_set_current_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = 0;
    return pthread_setname_np(pthread_self(), truncated);
}

int tern_set_current_thread_affinity(const uint64_t *words, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu / 64 < count; cpu++) {
        if ((words[cpu / 64] >> (cpu % 64)) & 1) CPU_SET(cpu, &set);
    }
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int tern_attr_set_cpu(pthread_attr_t *attributes, int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_attr_setaffinity_np(attributes, sizeof(set), &set);
}
