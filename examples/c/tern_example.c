/*
 * A C program that uses Tern through include/tern.h only: it parses prices, loads a tree model
 * and predicts, checks orders against risk limits and trips the kill switch, and passes messages
 * through a ring in plain memory.
 *
 *   tern_example MODEL_FILE LIMITS_FILE INSTRUMENTS_FILE
 *
 * scripts/build-c-libs.sh installs the library; docs/c-api.md shows how to build this file.
 */
#include <tern.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints the failing call and Tern's message, and exits. */
#define CHECK(call)                                                                           \
    do {                                                                                      \
        tern_status_t status_ = (call);                                                       \
        if (status_ != TERN_OK) {                                                             \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #call,                \
                    tern_status_message(status_), tern_last_error());                         \
            exit(1);                                                                          \
        }                                                                                     \
    } while (0)

static tern_price_t price(const char *text) {
    tern_price_t p;
    CHECK(tern_price_parse(text, strlen(text), &p));
    return p;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL_FILE LIMITS_FILE INSTRUMENTS_FILE\n", argv[0]);
        return 2;
    }
    if (tern_abi_version() != TERN_ABI_VERSION) {
        fprintf(stderr, "libtern ABI %u, header ABI %d\n", tern_abi_version(), TERN_ABI_VERSION);
        return 1;
    }
    printf("tern %s\n", tern_version());

    /* 1. Prices: exact decimal text in, exact text out. */
    char text[TERN_DECIMAL_BUFFER_SIZE];
    tern_price_t p = price("4500.25");
    CHECK(tern_price_format(p + price("0.25"), 2, text, sizeof text, NULL));
    printf("price       4500.25 + 0.25 = %s (raw %lld at scale %lld)\n", text, (long long)(p + price("0.25")),
           (long long)TERN_PRICE_SCALE);
    tern_price_t bad;
    tern_status_t status = tern_price_parse("4500.2500000001", 15, &bad);
    printf("price       \"4500.2500000001\" -> %s: %s\n", tern_status_message(status), tern_last_error());

    /* 2. A model: load, inspect, predict one row. */
    tern_model_t *model;
    CHECK(tern_model_load_file(argv[1], TERN_MODEL_AUTO, &model));
    tern_model_info_t info;
    CHECK(tern_model_info(model, &info));
    printf("model       %u trees, %u features, %u outputs, objective %s\n", info.tree_count, info.feature_count,
           info.output_count, info.objective);
    float *row = calloc(info.feature_count, sizeof *row);
    double *out = calloc(info.output_count, sizeof *out);
    if (row == NULL || out == NULL) return 1;
    for (uint32_t i = 0; i < info.feature_count; i++) row[i] = (float)i * 0.01f;
    CHECK(tern_model_predict(model, row, info.feature_count, 0, out, info.output_count));
    printf("predict     row 0.00, 0.01, ... -> %.9g\n", out[0]);
    free(row);
    free(out);
    tern_model_free(model);

    /* 3. Risk: limits from files, a quote, an order checked, the kill switch tripped. */
    tern_risk_t *risk;
    CHECK(tern_risk_create_from_files(argv[2], argv[3], &risk));
    uint32_t instrument, account, strategy;
    tern_instrument_t spec;
    CHECK(tern_risk_instrument(risk, 0, &spec));
    CHECK(tern_risk_lookup(risk, TERN_NAME_INSTRUMENT, spec.symbol, &instrument));
    CHECK(tern_risk_lookup(risk, TERN_NAME_ACCOUNT, "main", &account));
    CHECK(tern_risk_lookup(risk, TERN_NAME_STRATEGY, "mm", &strategy));
    int64_t now = INT64_C(1767225600000000000); /* 2026-01-01T00:00:00Z */
    CHECK(tern_risk_update_quote(risk, instrument, price("4500.00"), price("4500.25"), 0, now));

    tern_order_t order;
    memset(&order, 0, sizeof order);
    order.client_order_id = 1;
    order.instrument_id = instrument;
    order.account_id = account;
    order.strategy_id = strategy;
    order.side = TERN_SIDE_BUY;
    order.order_type = TERN_ORDER_LIMIT;
    order.time_in_force = TERN_TIF_DAY;
    order.price = price("4500.00");
    order.quantity = 2 * TERN_QUANTITY_SCALE;
    order.timestamp_ns = now;
    tern_risk_decision_t decision;
    CHECK(tern_risk_check(risk, &order, now, &decision));
    printf("risk        buy 2 %s @ 4500.00: %s\n", spec.symbol, decision.accepted ? "accepted" : tern_reject_reason_name(decision.reason));

    order.price = price("4600.00"); /* far outside the price band */
    CHECK(tern_risk_check(risk, &order, now, &decision));
    printf("risk        buy 2 %s @ 4600.00: %s\n", spec.symbol, decision.accepted ? "accepted" : tern_reject_reason_name(decision.reason));

    tern_kill_scope_t firm;
    memset(&firm, 0, sizeof firm);
    firm.kind = TERN_SCOPE_FIRM;
    CHECK(tern_risk_kill_trip(risk, firm, "example", "demonstration", now));
    int32_t state;
    CHECK(tern_risk_kill_state(risk, firm, &state));
    order.price = price("4500.00");
    CHECK(tern_risk_check(risk, &order, now, &decision));
    printf("kill switch firm state %d; the same order now: %s\n", state, decision.accepted ? "accepted" : tern_reject_reason_name(decision.reason));
    tern_risk_free(risk);

    /* 4. A ring in plain memory: format, push three messages, pop them. */
    size_t bytes;
    CHECK(tern_spsc_ring_memory_size(16, 8, &bytes));
    void *memory = aligned_alloc(128, (bytes + 127) / 128 * 128);
    if (memory == NULL) return 1;
    tern_spsc_ring_t *ring;
    CHECK(tern_spsc_ring_format(memory, bytes, 16, 8, &ring));
    for (int64_t i = 1; i <= 3; i++) {
        int64_t message[2] = {i, i * 100};
        CHECK(tern_spsc_ring_push(ring, message, sizeof message));
    }
    int64_t received[2];
    size_t length;
    int64_t sum = 0;
    while (tern_spsc_ring_pop(ring, received, sizeof received, &length) == TERN_OK) sum += received[1];
    printf("ring        3 messages through a %zu-byte ring, payload sum %lld\n", bytes, (long long)sum);
    tern_spsc_ring_free(ring);
    free(memory);
    return 0;
}
