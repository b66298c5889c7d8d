// A C++ program that uses Tern through include/tern.hpp (the RAII wrapper over tern.h): it parses
// prices, loads a tree model and predicts, checks orders against risk limits and trips the kill
// switch, and passes messages through a ring.
//
//   tern_example_cpp MODEL_FILE LIMITS_FILE INSTRUMENTS_FILE
#include <tern.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s MODEL_FILE LIMITS_FILE INSTRUMENTS_FILE\n", argv[0]);
        return 2;
    }
    try {
        std::printf("tern %s (C++)\n", tern_version());

        // 1. Prices.
        const tern_price_t bid = tern::parse_price("4500.00");
        const tern_price_t ask = tern::parse_price("4500.25");
        std::printf("price       mid of %s and %s = %s\n", tern::format_price(bid, 2).c_str(), tern::format_price(ask, 2).c_str(),
                    tern::format_price((bid + ask) / 2).c_str());
        try {
            tern::parse_price("12.5.0");
        } catch (const tern::error &e) {
            std::printf("price       \"12.5.0\" -> status %d: %s\n", e.status(), e.what());
        }

        // 2. A model, one row and a batch of four.
        tern::model model(argv[1]);
        const tern_model_info_t &info = model.info();
        std::vector<float> rows(4 * info.feature_count);
        for (size_t i = 0; i < rows.size(); i++) rows[i] = static_cast<float>(i % 17) * 0.05f - 0.4f;
        std::vector<double> one = model.predict(std::vector<float>(rows.begin(), rows.begin() + info.feature_count));
        std::vector<double> batch = model.predict_batch(rows);
        std::printf("model       %u trees; row 0: %.9g; batch: %.9g %.9g %.9g %.9g\n", info.tree_count, one[0], batch[0], batch[1], batch[2], batch[3]);

        // 3. Risk and the kill switch.
        tern::risk risk = tern::risk::from_files(argv[2], argv[3]);
        const tern_instrument_t es = risk.instrument(0);
        const int64_t now = INT64_C(1767225600000000000);
        risk.update_quote(es.id, bid, ask, now);
        tern_order_t order{};
        order.client_order_id = 7;
        order.instrument_id = es.id;
        order.account_id = risk.lookup(TERN_NAME_ACCOUNT, "main");
        order.strategy_id = risk.lookup(TERN_NAME_STRATEGY, "mm");
        order.side = TERN_SIDE_SELL;
        order.order_type = TERN_ORDER_LIMIT;
        order.time_in_force = TERN_TIF_DAY;
        order.price = ask;
        order.quantity = 1 * TERN_QUANTITY_SCALE;
        order.timestamp_ns = now;
        tern_risk_decision_t d = risk.submit(order, now);
        std::printf("risk        sell 1 %s @ %s: %s (sequence %llu)\n", es.symbol, tern::format_price(ask).c_str(),
                    d.accepted ? "accepted" : tern_reject_reason_name(d.reason), static_cast<unsigned long long>(d.sequence));
        tern_kill_scope_t scope{};
        scope.kind = TERN_SCOPE_INSTRUMENT;
        scope.id = es.id;
        risk.trip_kill_switch(scope, "example", "C++ demonstration", now);
        order.client_order_id = 8;
        d = risk.check_order(order, now);
        std::printf("kill switch %s tripped (state %d); next order: %s; working orders: %lld\n", es.symbol, risk.kill_state(scope),
                    d.accepted ? "accepted" : tern_reject_reason_name(d.reason),
                    static_cast<long long>(risk.exposure(order.account_id).working_count));

        // 4. A ring.
        struct quote {
            int64_t bid, ask;
        };
        const size_t bytes = tern::spsc_ring::memory_size(sizeof(quote), 4);
        void *memory = std::aligned_alloc(128, (bytes + 127) / 128 * 128);
        if (memory == nullptr) return 1;
        {
            tern::spsc_ring producer = tern::spsc_ring::format(memory, bytes, sizeof(quote), 4);
            tern::spsc_ring consumer = tern::spsc_ring::attach(memory, bytes);
            int pushed = 0;
            while (producer.try_push(quote{bid + pushed, ask + pushed})) pushed++;
            quote q{};
            int popped = 0;
            while (consumer.try_pop(q)) popped++;
            std::printf("ring        pushed %d until full, popped %d; last ask %s\n", pushed, popped, tern::format_price(q.ask).c_str());
        }
        std::free(memory);
    } catch (const tern::error &e) {
        std::fprintf(stderr, "tern: %s\n", e.what());
        return 1;
    }
    return 0;
}
