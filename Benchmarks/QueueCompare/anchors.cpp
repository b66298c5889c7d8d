// The C++ anchors of Benchmarks/compare-queues.sh: boost::lockfree::spsc_queue and moodycamel
// ReaderWriterQueue (both from Debian), measured with exactly the method of Tern's queue-compare
// tool (Benchmarks/Tools/QueueCompare/main.swift). One measurement per process; one line of output.
//
//   anchors probe                                 one-cache-line ping-pong between the two CPUs
//   anchors <boost|rwq> tput <8|64> <messages>    steady and whole-run throughput
//   anchors boost batch <8|64> <messages>         throughput with push/pop of 256-element arrays
//   anchors <boost|rwq> rtt <8|64> <samples>      round trip over two queues: p50/p99/p99.9
//
// Producer (and pinger) on CPU $TERN_CPU_A (default 0), consumer (and ponger) on $TERN_CPU_B
// (default 1). Capacity 65536. Every slot is touched once before timing (pre-faulting).
#include <algorithm>
#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>
#include <readerwriterqueue/readerwriterqueue.h>
#include <sched.h>
#include <string>
#include <thread>
#include <time.h>
#include <vector>
#include <x86intrin.h>

namespace {

constexpr size_t kCapacity = 65536;
constexpr uint64_t kWindow = 16384;

template <size_t N> struct Payload {
    uint64_t words[N / 8];
    Payload() = default;
    explicit Payload(uint64_t v) {
        for (auto &w : words) w = v;
    }
    uint64_t first() const { return words[0]; }
};

uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
        std::fprintf(stderr, "cannot pin to CPU %d\n", cpu);
        std::exit(2);
    }
}

int cpu_a() { return std::getenv("TERN_CPU_A") ? std::atoi(std::getenv("TERN_CPU_A")) : 0; }
int cpu_b() { return std::getenv("TERN_CPU_B") ? std::atoi(std::getenv("TERN_CPU_B")) : 1; }

double ticks_per_ns() {
    uint64_t t0 = now_ns(), c0 = __rdtsc();
    while (now_ns() - t0 < 20000000) {}
    uint64_t t1 = now_ns(), c1 = __rdtsc();
    return double(c1 - c0) / double(t1 - t0);
}

// Pins the calling thread to `cpu`, then waits until both measured threads have arrived.
void start_on(int cpu, std::atomic<int> &ready) {
    pin(cpu);
    ready.fetch_add(1);
    while (ready.load() < 2) {}
}

// Stamps the time once for every window boundary a thread's message count has reached (the same
// rule as WindowClock in queue-compare).
struct WindowClock {
    std::vector<uint64_t> &marks;
    uint64_t next = 0;
    void mark(uint64_t position) {
        while (position >= next) {
            marks.push_back(now_ns());
            next += kWindow;
        }
    }
    void finish() { marks.push_back(now_ns()); }
};

// Adapters: the same three operations for every queue.
template <typename T> struct Boost {
    boost::lockfree::spsc_queue<T> q{kCapacity};
    bool push(const T &v) { return q.push(v); }
    bool pop(T &v) { return q.pop(v); }
};
template <typename T> struct Rwq {
    moodycamel::ReaderWriterQueue<T> q{kCapacity};
    bool push(const T &v) { return q.try_enqueue(v); }
    bool pop(T &v) { return q.try_dequeue(v); }
};

template <typename Q, typename T> void warm(Q &q) {
    T v{};
    for (int lap = 0; lap < 2; ++lap) {
        size_t n = 0;
        while (n < kCapacity - 1 && q.push(T(n))) ++n;
        while (q.pop(v)) {}
    }
}

// Median and 90th percentile of the window rates in which the two threads kept pace (their window
// durations within 1/8 of each other), plus the whole-run rate.
void report_throughput(const char *name, const char *test, int payload, uint64_t messages,
                       const std::vector<uint64_t> &pt, const std::vector<uint64_t> &ct, uint64_t checksum,
                       uint64_t expected) {
    std::vector<double> rates;
    for (size_t k = 0; k + 1 < ct.size() && k + 1 < pt.size(); ++k) {
        double dc = double(ct[k + 1] - ct[k]), dp = double(pt[k + 1] - pt[k]);
        if (dc > 0 && std::abs(dc - dp) <= dc / 8) rates.push_back(double(kWindow) / dc * 1e3);
    }
    std::sort(rates.begin(), rates.end());
    double p50 = rates.empty() ? 0 : rates[rates.size() / 2];
    double p90 = rates.empty() ? 0 : rates[rates.size() * 9 / 10];
    double wall = double(messages) / double(ct.back() - pt.front()) * 1e3;
    std::printf("queue=%s test=%s payload=%d steady_mps=%.2f steady_p90_mps=%.2f wall_mps=%.2f steady_windows=%zu "
                "windows=%zu ok=%d\n",
                name, test, payload, p50, p90, wall, rates.size(), ct.size() - 1, checksum == expected);
}

template <typename Q, int P> void throughput(const char *name, uint64_t messages) {
    using T = Payload<P>;
    Q q;
    warm<Q, T>(q);
    std::vector<uint64_t> pt, ct;
    pt.reserve(messages / kWindow + 2);
    ct.reserve(messages / kWindow + 2);
    std::atomic<int> ready{0};
    uint64_t checksum = 0;
    std::thread consumer([&] {
        start_on(cpu_b(), ready);
        T v;
        WindowClock clock{ct};
        for (uint64_t i = 0; i < messages; ++i) {
            clock.mark(i);
            while (!q.pop(v)) {}
            checksum += v.first();
        }
        clock.finish();
    });
    start_on(cpu_a(), ready);
    WindowClock clock{pt};
    for (uint64_t i = 0; i < messages; ++i) {
        clock.mark(i);
        T v(i);
        while (!q.push(v)) {}
    }
    clock.finish();
    consumer.join();
    report_throughput(name, "tput", P, messages, pt, ct, checksum, messages * (messages - 1) / 2);
}

// boost's array push/pop: the anchor for Tern's claim/commit + drain batch API.
template <int P> void batch_throughput(uint64_t messages) {
    using T = Payload<P>;
    constexpr size_t kBatch = 256;
    Boost<T> q;
    warm<Boost<T>, T>(q);
    std::vector<uint64_t> pt, ct;
    std::atomic<int> ready{0};
    uint64_t checksum = 0;
    std::thread consumer([&] {
        start_on(cpu_b(), ready);
        std::vector<T> buffer(kBatch);
        WindowClock clock{ct};
        for (uint64_t i = 0; i < messages;) {
            clock.mark(i);
            size_t n = q.q.pop(buffer.data(), kBatch);
            for (size_t j = 0; j < n; ++j) checksum += buffer[j].first();
            i += n;
        }
        clock.finish();
    });
    start_on(cpu_a(), ready);
    std::vector<T> buffer(kBatch);
    WindowClock clock{pt};
    for (uint64_t i = 0; i < messages;) {
        clock.mark(i);
        size_t want = std::min<uint64_t>(kBatch, messages - i);
        for (size_t j = 0; j < want; ++j) buffer[j] = T(i + j);
        i += q.q.push(buffer.data(), want);
    }
    clock.finish();
    consumer.join();
    // Windows are marked at batch boundaries, so line the two lists up by count.
    size_t n = std::min(pt.size(), ct.size());
    pt.resize(n);
    ct.resize(n);
    report_throughput("boost", "batch", P, messages, pt, ct, checksum, messages * (messages - 1) / 2);
}

template <typename Q, int P> void round_trip(const char *name, uint64_t samples) {
    using T = Payload<P>;
    Q ping, pong;
    warm<Q, T>(ping);
    warm<Q, T>(pong);
    const uint64_t warmup = 10000;
    std::atomic<int> ready{0};
    std::thread echo([&] {
        start_on(cpu_b(), ready);
        T v;
        for (uint64_t i = 0; i < samples + warmup; ++i) {
            while (!ping.pop(v)) {}
            while (!pong.push(v)) {}
        }
    });
    start_on(cpu_a(), ready);
    double tpn = ticks_per_ns();
    std::vector<uint64_t> rtt;
    rtt.reserve(samples);
    T v;
    for (uint64_t i = 0; i < samples + warmup; ++i) {
        _mm_lfence();
        uint64_t t0 = __rdtsc();
        while (!ping.push(T(i))) {}
        while (!pong.pop(v)) {}
        uint64_t t1 = __rdtsc();
        _mm_lfence();
        if (i >= warmup) rtt.push_back(t1 - t0);
    }
    echo.join();
    std::sort(rtt.begin(), rtt.end());
    auto pct = [&](double p) { return double(rtt[size_t(p * double(rtt.size() - 1))]) / tpn; };
    std::printf("queue=%s test=rtt payload=%d p50_ns=%.0f p99_ns=%.0f p999_ns=%.0f samples=%zu\n", name, P, pct(0.5),
                pct(0.99), pct(0.999), rtt.size());
}

// One shared cache line bounced between the two CPUs: the VM's current cost of a transfer.
void probe() {
    alignas(128) static std::atomic<uint64_t> line{0};
    const uint64_t rounds = 200000;
    std::atomic<int> ready{0};
    std::thread echo([&] {
        start_on(cpu_b(), ready);
        for (uint64_t i = 0; i < rounds; ++i) {
            while (line.load(std::memory_order_acquire) != 2 * i + 1) {}
            line.store(2 * i + 2, std::memory_order_release);
        }
    });
    start_on(cpu_a(), ready);
    double tpn = ticks_per_ns();
    std::vector<uint64_t> rtt;
    rtt.reserve(rounds);
    for (uint64_t i = 0; i < rounds; ++i) {
        uint64_t t0 = __rdtsc();
        line.store(2 * i + 1, std::memory_order_release);
        while (line.load(std::memory_order_acquire) != 2 * i + 2) {}
        rtt.push_back(__rdtsc() - t0);
    }
    echo.join();
    std::sort(rtt.begin(), rtt.end());
    std::printf("queue=probe test=c2c payload=0 p50_ns=%.0f\n", double(rtt[rtt.size() / 2]) / tpn);
}

} // namespace

int main(int argc, char **argv) {
    if (argc == 2 && std::string(argv[1]) == "probe") {
        probe();
        return 0;
    }
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s probe | <boost|rwq> <tput|batch|rtt> <8|64> <count>\n", argv[0]);
        return 2;
    }
    std::string q = argv[1], test = argv[2];
    int payload = std::atoi(argv[3]);
    uint64_t count = std::strtoull(argv[4], nullptr, 10);
    if (payload != 8 && payload != 64) return 2;
#define DISPATCH(P)                                                                                                     \
    if (test == "tput" && q == "boost") throughput<Boost<Payload<P>>, P>("boost", count);                              \
    else if (test == "tput" && q == "rwq") throughput<Rwq<Payload<P>>, P>("rwq", count);                               \
    else if (test == "batch" && q == "boost") batch_throughput<P>(count);                                              \
    else if (test == "rtt" && q == "boost") round_trip<Boost<Payload<P>>, P>("boost", count);                          \
    else if (test == "rtt" && q == "rwq") round_trip<Rwq<Payload<P>>, P>("rwq", count);                                \
    else return 2;
    if (payload == 8) {
        DISPATCH(8)
    } else {
        DISPATCH(64)
    }
    return 0;
}
