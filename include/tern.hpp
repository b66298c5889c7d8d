// tern.hpp: a thin C++17 RAII wrapper over tern.h (optional; header-only).
//
// Handles become move-only owners that free themselves; a failed status becomes a tern::error
// exception carrying the status and tern_last_error()'s message. The C structs and constants are
// used as they are. Nothing here adds behaviour: every method is one C call.
#ifndef TERN_HPP
#define TERN_HPP

#include "tern.h"

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

/// A Tern call failed: `status()` is the TERN_E_* code, `what()` Tern's message.
class error : public std::runtime_error {
public:
    error(tern_status_t status, const std::string &message) : std::runtime_error(message), status_(status) {}
    tern_status_t status() const noexcept { return status_; }

private:
    tern_status_t status_;
};

/// Throws tern::error unless `status` is TERN_OK.
inline void check(tern_status_t status) {
    if (status != TERN_OK) throw error(status, std::string(tern_status_message(status)) + ": " + tern_last_error());
}

namespace detail {
template <typename T, void (*Free)(T *)> struct deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T *)> using owner = std::unique_ptr<T, deleter<T, Free>>;
} // namespace detail

// MARK: Fixed point

inline tern_price_t parse_price(std::string_view text) {
    tern_price_t p;
    check(tern_price_parse(text.data(), text.size(), &p));
    return p;
}
inline tern_quantity_t parse_quantity(std::string_view text) {
    tern_quantity_t q;
    check(tern_quantity_parse(text.data(), text.size(), &q));
    return q;
}
inline std::string format_price(tern_price_t price, unsigned min_fraction_digits = 0) {
    char buffer[TERN_DECIMAL_BUFFER_SIZE];
    size_t length = 0;
    check(tern_price_format(price, min_fraction_digits, buffer, sizeof buffer, &length));
    return std::string(buffer, length);
}
inline std::string format_money(tern_money_t money, unsigned min_fraction_digits = 0) {
    char buffer[TERN_DECIMAL_BUFFER_SIZE];
    size_t length = 0;
    check(tern_money_format(money, min_fraction_digits, buffer, sizeof buffer, &length));
    return std::string(buffer, length);
}

// MARK: Risk

/// A risk engine (tern_risk_t). Owning thread, except trip_kill_switch and kill_state.
class risk {
public:
    static risk from_files(const std::string &limits, const std::string &instruments) {
        tern_risk_t *r = nullptr;
        check(tern_risk_create_from_files(limits.c_str(), instruments.c_str(), &r));
        return risk(r);
    }
    static risk from_config(const tern_risk_config_t &config) {
        tern_risk_t *r = nullptr;
        check(tern_risk_create(&config, &r));
        return risk(r);
    }
    uint32_t lookup(int32_t kind, const std::string &name) const {
        uint32_t id = 0;
        check(tern_risk_lookup(handle_.get(), kind, name.c_str(), &id));
        return id;
    }
    tern_instrument_t instrument(uint32_t id) const {
        tern_instrument_t i;
        check(tern_risk_instrument(handle_.get(), id, &i));
        return i;
    }
    void update_quote(uint32_t instrument, tern_price_t bid, tern_price_t ask, int64_t now_ns, tern_price_t last = 0) {
        check(tern_risk_update_quote(handle_.get(), instrument, bid, ask, last, now_ns));
    }
    tern_risk_decision_t check_order(const tern_order_t &order, int64_t now_ns) {
        tern_risk_decision_t d;
        check(tern_risk_check(handle_.get(), &order, now_ns, &d));
        return d;
    }
    tern_risk_decision_t submit(const tern_order_t &order, int64_t now_ns) {
        tern_risk_decision_t d;
        check(tern_risk_submit(handle_.get(), &order, now_ns, &d));
        return d;
    }
    void apply(const tern_order_event_t &event, int64_t now_ns) { check(tern_risk_apply(handle_.get(), &event, now_ns)); }
    void trip_kill_switch(tern_kill_scope_t scope, const std::string &actor, const std::string &reason, int64_t now_ns) {
        check(tern_risk_kill_trip(handle_.get(), scope, actor.c_str(), reason.c_str(), now_ns));
    }
    int32_t kill_state(tern_kill_scope_t scope) const {
        int32_t state = 0;
        check(tern_risk_kill_state(handle_.get(), scope, &state));
        return state;
    }
    tern_position_t position(uint32_t account, uint32_t instrument) const {
        tern_position_t p;
        check(tern_risk_position(handle_.get(), account, instrument, &p));
        return p;
    }
    tern_exposure_t exposure(uint32_t account) const {
        tern_exposure_t e;
        check(tern_risk_exposure(handle_.get(), account, &e));
        return e;
    }
    tern_risk_t *get() const noexcept { return handle_.get(); }

private:
    explicit risk(tern_risk_t *r) : handle_(r) {}
    detail::owner<tern_risk_t, tern_risk_free> handle_;
};

// MARK: Models

/// A compiled model (tern_model_t). One thread at a time; share() gives another thread its own.
class model {
public:
    explicit model(const std::string &path, int32_t format = TERN_MODEL_AUTO) {
        tern_model_t *m = nullptr;
        check(tern_model_load_file(path.c_str(), format, &m));
        handle_.reset(m);
        check(tern_model_info(m, &info_));
    }
    model share() const {
        tern_model_t *m = nullptr;
        check(tern_model_share(handle_.get(), &m));
        return model(m, info_);
    }
    const tern_model_info_t &info() const noexcept { return info_; }
    /// Predicts one row into `out` (info().output_count values).
    void predict(const float *row, double *out, bool margin = false) {
        check(tern_model_predict(handle_.get(), row, info_.feature_count, margin ? 1 : 0, out, info_.output_count));
    }
    std::vector<double> predict(const std::vector<float> &row, bool margin = false) {
        std::vector<double> out(info_.output_count);
        check(tern_model_predict(handle_.get(), row.data(), row.size(), margin ? 1 : 0, out.data(), out.size()));
        return out;
    }
    std::vector<double> predict_batch(const std::vector<float> &rows, bool margin = false) {
        size_t count = info_.feature_count == 0 ? 0 : rows.size() / info_.feature_count;
        std::vector<double> out(count * info_.output_count);
        check(tern_model_predict_batch(handle_.get(), rows.data(), count, info_.feature_count, margin ? 1 : 0, out.data(), out.size()));
        return out;
    }
    tern_model_t *get() const noexcept { return handle_.get(); }

private:
    model(tern_model_t *m, const tern_model_info_t &info) : handle_(m), info_(info) {}
    detail::owner<tern_model_t, tern_model_free> handle_;
    tern_model_info_t info_{};
};

// MARK: Rings

/// A view of an SPSC slot ring in memory the caller owns (tern_spsc_ring_t).
class spsc_ring {
public:
    static size_t memory_size(uint32_t slot_size, uint64_t capacity) {
        size_t n = 0;
        check(tern_spsc_ring_memory_size(slot_size, capacity, &n));
        return n;
    }
    static spsc_ring format(void *memory, size_t length, uint32_t slot_size, uint64_t capacity) {
        tern_spsc_ring_t *r = nullptr;
        check(tern_spsc_ring_format(memory, length, slot_size, capacity, &r));
        return spsc_ring(r);
    }
    static spsc_ring attach(void *memory, size_t length) {
        tern_spsc_ring_t *r = nullptr;
        check(tern_spsc_ring_attach(memory, length, &r));
        return spsc_ring(r);
    }
    /// False when the ring is full.
    template <typename T> bool try_push(const T &message) {
        tern_status_t s = tern_spsc_ring_push(handle_.get(), &message, sizeof message);
        if (s == TERN_E_FULL) return false;
        check(s);
        return true;
    }
    /// False when the ring is empty.
    template <typename T> bool try_pop(T &message) {
        size_t length = 0;
        tern_status_t s = tern_spsc_ring_pop(handle_.get(), &message, sizeof message, &length);
        if (s == TERN_E_EMPTY) return false;
        check(s);
        return true;
    }

private:
    explicit spsc_ring(tern_spsc_ring_t *r) : handle_(r) {}
    detail::owner<tern_spsc_ring_t, tern_spsc_ring_free> handle_;
};

// MARK: Journal

/// An open journal (tern_journal_t); the destructor closes it (errors are lost then: call close()).
class journal {
public:
    explicit journal(const std::string &directory, const tern_journal_options_t *options = nullptr) {
        check(tern_journal_open(directory.c_str(), options, &handle_));
    }
    journal(const journal &) = delete;
    journal &operator=(const journal &) = delete;
    journal(journal &&other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
    ~journal() { tern_journal_close(handle_); }
    uint64_t append(uint16_t type, int64_t timestamp_ns, const void *payload, size_t length) {
        uint64_t sequence = 0;
        check(tern_journal_append(handle_, type, timestamp_ns, payload, length, &sequence));
        return sequence;
    }
    void wait_durable(uint64_t sequence) { check(tern_journal_wait_durable(handle_, sequence)); }
    void close() {
        tern_journal_t *h = handle_;
        handle_ = nullptr;
        check(tern_journal_close(h));
    }

private:
    tern_journal_t *handle_ = nullptr;
};

// MARK: Engine

/// An engine (tern_engine_t) built from a host configuration file (empty path: the built-in demo).
class engine {
public:
    explicit engine(const std::string &config_path = std::string()) {
        tern_engine_t *e = nullptr;
        check(tern_engine_create(config_path.empty() ? nullptr : config_path.c_str(), &e));
        handle_.reset(e);
    }
    void set_strategy(const tern_strategy_t &strategy, void *user_data) { check(tern_engine_set_strategy(handle_.get(), &strategy, user_data)); }
    void set_gateway(const tern_gateway_t &gateway, void *user_data) { check(tern_engine_set_gateway(handle_.get(), &gateway, user_data)); }
    tern_engine_counters_t run() {
        tern_engine_counters_t c;
        check(tern_engine_run(handle_.get(), &c));
        return c;
    }
    void start() { check(tern_engine_start(handle_.get())); }
    void push(const tern_market_event_t &event) { check(tern_engine_push(handle_.get(), &event)); }
    tern_engine_counters_t finish() {
        tern_engine_counters_t c;
        check(tern_engine_finish(handle_.get(), &c));
        return c;
    }
    void stop() { check(tern_engine_stop(handle_.get())); }
    tern_engine_t *get() const noexcept { return handle_.get(); }

private:
    detail::owner<tern_engine_t, tern_engine_free> handle_;
};

} // namespace tern

#endif // TERN_HPP
