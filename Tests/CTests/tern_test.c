/*
 * Tests of the C ABI from C: every area of include/tern.h, its error paths, real models against
 * their libraries' predictions (../shared/models), a ring shared by two processes, a journal on
 * disk, an engine driven by a C strategy and gateway, and an engine fed by a C producer process. scripts/check-c-abi.sh builds it with
 * -Wall -Wextra -Werror -pedantic, links it against libtern.so and libtern.a, and runs it also
 * under AddressSanitizer and UndefinedBehaviorSanitizer.
 *
 *   tern_test SHARED_MODELS_DIR REPOSITORY_DIR
 */
#define _GNU_SOURCE
#include <tern.h>

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures, checks;
static const char *models_dir, *repo_dir;

#define EXPECT(cond)                                                                                  \
    do {                                                                                              \
        checks++;                                                                                     \
        if (!(cond)) {                                                                                \
            failures++;                                                                               \
            fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, #cond, tern_last_error()); \
        }                                                                                             \
    } while (0)
#define EXPECT_OK(call) EXPECT((call) == TERN_OK)

static tern_price_t px(const char *text) {
    tern_price_t p = 0;
    EXPECT_OK(tern_price_parse(text, strlen(text), &p));
    return p;
}

/* MARK: Version, status, NULL and wrong handles */

static void test_basics(void) {
    EXPECT(tern_abi_version() == TERN_ABI_VERSION);
    EXPECT(strcmp(tern_version(), "0.1.0") == 0);
    EXPECT(strcmp(tern_status_message(TERN_OK), "ok") == 0);
    EXPECT(strlen(tern_status_message(-999)) > 0);
    EXPECT(tern_price_parse("1", 1, NULL) == TERN_E_NULL);
    EXPECT(strstr(tern_last_error(), "tern_price_parse") != NULL);
    EXPECT(tern_price_parse(NULL, 3, &(tern_price_t){0}) == TERN_E_NULL);
    EXPECT(tern_risk_check(NULL, NULL, 0, NULL) == TERN_E_NULL);
    EXPECT(tern_model_predict(NULL, NULL, 0, 0, NULL, 0) == TERN_E_NULL);
    EXPECT(tern_spsc_ring_push(NULL, NULL, 0) == TERN_E_NULL);
    EXPECT(tern_journal_append(NULL, 0x8000, 0, NULL, 0, NULL) == TERN_E_NULL);
    EXPECT(tern_engine_push(NULL, NULL) == TERN_E_NULL);
    EXPECT(tern_engine_create(NULL, NULL) == TERN_E_NULL);
    EXPECT(tern_risk_create_from_files(NULL, "x", NULL) == TERN_E_NULL);
    tern_risk_free(NULL);
    tern_model_free(NULL);
    tern_spsc_ring_free(NULL);
    tern_byte_ring_free(NULL);
    tern_engine_free(NULL);
    EXPECT(tern_journal_close(NULL) == TERN_OK);
    /* A handle of another kind is refused, not misread. */
    tern_model_t *model = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/xgb_small.json", models_dir);
    EXPECT_OK(tern_model_load_file(path, TERN_MODEL_AUTO, &model));
    tern_risk_decision_t d;
    tern_order_t order;
    memset(&order, 0, sizeof order);
    EXPECT(tern_risk_check((tern_risk_t *)(void *)model, &order, 0, &d) == TERN_E_INVALID);
    EXPECT(strstr(tern_last_error(), "not a live handle") != NULL);
    tern_risk_free((tern_risk_t *)(void *)model); /* ignored: wrong kind */
    tern_model_free(model);
    EXPECT(strcmp(tern_reject_reason_name(TERN_REJECT_PRICE_OUTSIDE_BAND), "PRICE_OUTSIDE_BAND") == 0);
    EXPECT(strcmp(tern_reject_reason_name(7), "unknown") == 0);
}

/* MARK: Fixed point */

static void test_fixed_point(void) {
    char buffer[TERN_DECIMAL_BUFFER_SIZE];
    size_t length = 0;
    EXPECT(px("101.25") == INT64_C(101250000000));
    EXPECT(px("-0.000000001") == -1);
    EXPECT_OK(tern_price_format(px("101.25"), 0, buffer, sizeof buffer, &length));
    EXPECT(strcmp(buffer, "101.25") == 0 && length == 6);
    EXPECT_OK(tern_price_format(px("101.25"), 4, buffer, sizeof buffer, &length));
    EXPECT(strcmp(buffer, "101.2500") == 0);
    EXPECT(tern_price_format(px("101.25"), 0, buffer, 4, &length) == TERN_E_TOO_SMALL);
    EXPECT(length == 6);
    tern_price_t p;
    const char *bad[] = {"", "abc", "1.2.3", "1e5", "--1", "1.0000000001", " 1", "99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tern_status_t s = tern_price_parse(bad[i], strlen(bad[i]), &p);
        EXPECT(s == TERN_E_PARSE || s == TERN_E_OVERFLOW);
        EXPECT(strlen(tern_last_error()) > 0);
    }
    EXPECT_OK(tern_price_parse_rounded("1.0000000015", 12, TERN_ROUND_HALF_EVEN, &p));
    EXPECT(p == INT64_C(1000000002));
    EXPECT(tern_price_parse_rounded("1", 1, 99, &p) == TERN_E_INVALID);
    EXPECT_OK(tern_price_round(px("100.13"), px("0.25"), TERN_ROUND_DOWN, &p));
    EXPECT(p == px("100.00"));
    EXPECT(tern_price_round(px("1"), 0, TERN_ROUND_DOWN, &p) == TERN_E_INVALID);
    tern_money_t m;
    EXPECT_OK(tern_notional(px("4500.25"), 2 * TERN_QUANTITY_SCALE, 50 * TERN_PRICE_SCALE, &m));
    EXPECT_OK(tern_money_format(m, 2, buffer, sizeof buffer, NULL));
    EXPECT(strcmp(buffer, "450025.00") == 0);
    tern_money_t million = tern_money_from_units(1000000);
    EXPECT_OK(tern_money_format(million, 0, buffer, sizeof buffer, NULL));
    EXPECT(strcmp(buffer, "1000000") == 0);
    EXPECT_OK(tern_money_parse("-12.000000000000000001", 22, &m));
    EXPECT_OK(tern_money_format(m, 0, buffer, sizeof buffer, NULL));
    EXPECT(strcmp(buffer, "-12.000000000000000001") == 0);
    EXPECT(tern_notional(INT64_MAX, INT64_MAX, INT64_MAX, &m) == TERN_E_OVERFLOW);
    /* Random bytes never trap the parser. */
    srand(7);
    for (int i = 0; i < 20000; i++) {
        char junk[24];
        size_t n = (size_t)(rand() % 24);
        for (size_t j = 0; j < n; j++) junk[j] = "0123456789.-+e x"[rand() % 16];
        tern_status_t s = tern_price_parse(junk, n, &p);
        EXPECT(s == TERN_OK || s == TERN_E_PARSE || s == TERN_E_OVERFLOW);
    }
}

/* MARK: Risk from structs */

static tern_order_t make_order(uint64_t id, uint8_t side, const char *price, int64_t qty, int64_t now) {
    tern_order_t o;
    memset(&o, 0, sizeof o);
    o.client_order_id = id;
    o.side = side;
    o.order_type = TERN_ORDER_LIMIT;
    o.time_in_force = TERN_TIF_DAY;
    o.price = px(price);
    o.quantity = qty * TERN_QUANTITY_SCALE;
    o.timestamp_ns = now;
    return o;
}

static void test_risk(void) {
    tern_instrument_limits_t es;
    memset(&es, 0, sizeof es);
    snprintf(es.instrument.symbol, sizeof es.instrument.symbol, "ESZ6");
    snprintf(es.instrument.currency, sizeof es.instrument.currency, "USD");
    es.instrument.currency_exponent = 2;
    es.instrument.tick_size = px("0.25");
    es.instrument.lot_size = TERN_QUANTITY_SCALE;
    es.instrument.multiplier = 50 * TERN_PRICE_SCALE;
    es.instrument.max_quantity = 1000 * TERN_QUANTITY_SCALE;
    es.max_order_quantity = 20 * TERN_QUANTITY_SCALE;
    es.max_order_notional = tern_money_from_units(20000000);
    es.max_long = 10 * TERN_QUANTITY_SCALE;
    es.max_short = 10 * TERN_QUANTITY_SCALE;
    es.band.ticks = 20;
    es.max_reference_age_ns = INT64_C(5000000000);
    tern_account_limits_t account;
    memset(&account, 0, sizeof account);
    account.name = "main";
    account.max_working_orders = 100;
    account.max_working_notional = tern_money_from_units(5000000);
    account.credit_limit = tern_money_from_units(10000000);
    account.daily_loss_limit = tern_money_from_units(50000);
    tern_strategy_limits_t strategy;
    memset(&strategy, 0, sizeof strategy);
    strategy.name = "mm";
    const char *operators[] = {"alice"};
    tern_risk_config_t config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    snprintf(config.currency, sizeof config.currency, "USD");
    config.currency_exponent = 2;
    config.self_match = TERN_SELF_MATCH_ACCOUNT;
    config.max_working_orders = 1000;
    config.credit_limit = tern_money_from_units(100000000);
    config.daily_loss_limit = tern_money_from_units(100000);
    config.instruments = &es;
    config.instrument_count = 1;
    config.accounts = &account;
    config.account_count = 1;
    config.strategies = &strategy;
    config.strategy_count = 1;
    config.operators = operators;
    config.operator_count = 1;

    tern_risk_t *risk = NULL;
    tern_risk_config_t wrong = config;
    wrong.struct_size = 8;
    EXPECT(tern_risk_create(&wrong, &risk) == TERN_E_INVALID && risk == NULL);
    wrong = config;
    wrong.instrument_count = 2; /* reads past the array would be a bug: id check stops at [1] */
    wrong.instrument_count = 1;
    tern_instrument_limits_t bad_es = es;
    bad_es.instrument.tick_size = 0;
    wrong.instruments = &bad_es;
    EXPECT(tern_risk_create(&wrong, &risk) == TERN_E_INVALID);
    EXPECT(strstr(tern_last_error(), "instruments[0]") != NULL);
    EXPECT_OK(tern_risk_create(&config, &risk));

    {
        /* FX: the same future quoted in EUR in the USD book. */
        tern_instrument_limits_t eur_es = es;
        snprintf(eur_es.instrument.currency, sizeof eur_es.instrument.currency, "EUR");
        eur_es.instrument.currency_exponent = 2;
        tern_risk_config_t fx_config = config;
        fx_config.instruments = &eur_es;
        tern_risk_t *fx = NULL;
        EXPECT(tern_risk_create(&fx_config, &fx) == TERN_E_INVALID && fx == NULL);
        EXPECT(strstr(tern_last_error(), "fx_max_age") != NULL);
        fx_config.fx_max_age_ms = 10000;
        EXPECT_OK(tern_risk_create(&fx_config, &fx));
        int64_t t = INT64_C(1767225600000000000);
        EXPECT_OK(tern_risk_update_quote(fx, 0, px("4500.00"), px("4500.25"), 0, t));
        tern_order_t fo = make_order(1, TERN_SIDE_BUY, "4500.00", 2, t);
        tern_risk_decision_t fd;
        EXPECT_OK(tern_risk_check(fx, &fo, t, &fd));
        EXPECT(!fd.accepted && fd.reason == TERN_REJECT_FX_RATE_UNAVAILABLE);
        EXPECT(strcmp(tern_reject_reason_name(fd.reason), "FX_RATE_UNAVAILABLE") == 0);
        EXPECT(tern_risk_update_fx(fx, "JPY", px("0.0067"), t) == TERN_E_NOT_FOUND);
        EXPECT(tern_risk_update_fx(fx, NULL, px("1.1"), t) == TERN_E_NULL);
        EXPECT_OK(tern_risk_update_fx(fx, "EUR", px("1.1"), t));
        EXPECT_OK(tern_risk_check(fx, &fo, t, &fd));
        EXPECT(fd.accepted);
        /* 11 seconds later the rate is stale (fx_max_age 10 s), though the quote is refreshed. */
        EXPECT_OK(tern_risk_update_quote(fx, 0, px("4500.00"), px("4500.25"), 0, t + INT64_C(11000000000)));
        EXPECT_OK(tern_risk_check(fx, &fo, t + INT64_C(11000000000), &fd));
        EXPECT(!fd.accepted && fd.reason == TERN_REJECT_FX_RATE_UNAVAILABLE && fd.value.lo == UINT64_C(11000000000));
        tern_risk_free(fx);
    }

    uint32_t id = 99;
    EXPECT_OK(tern_risk_lookup(risk, TERN_NAME_INSTRUMENT, "ESZ6", &id));
    EXPECT(id == 0);
    EXPECT(tern_risk_lookup(risk, TERN_NAME_ACCOUNT, "nobody", &id) == TERN_E_NOT_FOUND);
    tern_instrument_t spec;
    EXPECT_OK(tern_risk_instrument(risk, 0, &spec));
    EXPECT(strcmp(spec.symbol, "ESZ6") == 0 && spec.tick_size == px("0.25") && spec.min_quantity == TERN_QUANTITY_SCALE);
    uint16_t reason = 0;
    EXPECT(tern_instrument_check(&spec, px("4500.10"), TERN_QUANTITY_SCALE, &reason) == TERN_E_INVALID && reason == TERN_REJECT_PRICE_NOT_ON_TICK);
    EXPECT_OK(tern_instrument_check(&spec, px("4500.25"), TERN_QUANTITY_SCALE, &reason));

    int64_t now = INT64_C(1767225600000000000);
    tern_risk_decision_t d;
    tern_order_t o = make_order(1, TERN_SIDE_BUY, "4500.00", 2, now);
    EXPECT_OK(tern_risk_check(risk, &o, now, &d));
    EXPECT(!d.accepted && d.reason == TERN_REJECT_NO_REFERENCE_PRICE);
    EXPECT_OK(tern_risk_update_quote(risk, 0, px("4500.00"), px("4500.25"), 0, now));
    EXPECT_OK(tern_risk_check(risk, &o, now, &d));
    EXPECT(d.accepted);
    o.price = px("4600.00");
    EXPECT_OK(tern_risk_check(risk, &o, now, &d));
    EXPECT(!d.accepted && d.reason == TERN_REJECT_PRICE_OUTSIDE_BAND);
    o.price = px("4500.00");
    o.side = 9;
    EXPECT(tern_risk_check(risk, &o, now, &d) == TERN_E_INVALID);
    o.side = TERN_SIDE_BUY;
    o.quantity = 11 * TERN_QUANTITY_SCALE;
    EXPECT_OK(tern_risk_check(risk, &o, now, &d));
    EXPECT(!d.accepted && d.reason == TERN_REJECT_POSITION_LIMIT);

    /* Submit, acknowledge, fill 2 of 3: the position and exposure follow. */
    o = make_order(2, TERN_SIDE_BUY, "4500.00", 3, now);
    EXPECT_OK(tern_risk_submit(risk, &o, now, &d));
    EXPECT(d.accepted && d.sequence > 0);
    tern_order_event_t e;
    memset(&e, 0, sizeof e);
    e.kind = TERN_EVENT_ACCEPTED;
    e.client_order_id = 2;
    e.order_id = 500;
    e.timestamp_ns = now;
    EXPECT_OK(tern_risk_apply(risk, &e, now));
    memset(&e, 0, sizeof e);
    e.kind = TERN_EVENT_FILLED;
    e.client_order_id = 2;
    e.order_id = 500;
    e.execution_id = 1;
    e.side = TERN_SIDE_BUY;
    e.liquidity = TERN_LIQUIDITY_MAKER;
    e.price = px("4500.00");
    e.quantity = 2 * TERN_QUANTITY_SCALE;
    e.leaves_quantity = 1 * TERN_QUANTITY_SCALE;
    e.timestamp_ns = now;
    EXPECT_OK(tern_risk_apply(risk, &e, now));
    e.kind = 42;
    EXPECT(tern_risk_apply(risk, &e, now) == TERN_E_INVALID);
    tern_position_t pos;
    EXPECT_OK(tern_risk_position(risk, 0, 0, &pos));
    EXPECT(pos.position == 2 * TERN_QUANTITY_SCALE && pos.open_buy_quantity == TERN_QUANTITY_SCALE && pos.working_count == 1);
    EXPECT(tern_risk_position(risk, 5, 0, &pos) == TERN_E_NOT_FOUND);
    tern_exposure_t ex;
    EXPECT_OK(tern_risk_exposure(risk, 0, &ex));
    EXPECT(ex.working_count == 1 && ex.holdings == 1);

    /* Kill switch: trip the account, its working order is queued for cancel; resets need an operator. */
    tern_kill_scope_t scope;
    memset(&scope, 0, sizeof scope);
    scope.kind = TERN_SCOPE_ACCOUNT;
    scope.id = 0;
    EXPECT_OK(tern_risk_kill_trip(risk, scope, "c-test", "testing", now));
    int32_t state = -1;
    EXPECT_OK(tern_risk_kill_state(risk, scope, &state));
    EXPECT(state == TERN_KILL_TRIPPED);
    EXPECT_OK(tern_risk_kill_process(risk, now));
    tern_order_change_t cancel;
    EXPECT_OK(tern_risk_next_cancel(risk, &cancel));
    EXPECT(cancel.original_client_order_id == 2);
    EXPECT(tern_risk_next_cancel(risk, &cancel) == TERN_E_EMPTY);
    o = make_order(3, TERN_SIDE_BUY, "4500.00", 1, now);
    EXPECT_OK(tern_risk_check(risk, &o, now, &d));
    EXPECT(!d.accepted && d.reason == TERN_REJECT_KILL_SWITCH_HALTED);
    EXPECT(tern_risk_kill_reset(risk, scope, 0, "mallory", "let me", now) == TERN_E_REFUSED);
    EXPECT_OK(tern_risk_kill_reset(risk, scope, 0, "alice", "checked", now));
    EXPECT(tern_risk_kill_reset(risk, scope, 0, "alice", "again", now) == TERN_E_STATE);
    scope.id = 77;
    EXPECT(tern_risk_kill_state(risk, scope, &state) == TERN_E_INVALID);
    EXPECT(tern_risk_set_session(risk, 0, 99) == TERN_E_INVALID);
    EXPECT_OK(tern_risk_set_session(risk, 0, TERN_SESSION_CLOSED));
    EXPECT_OK(tern_risk_check(risk, &o, now, &d));
    EXPECT(!d.accepted && d.reason == TERN_REJECT_MARKET_CLOSED);
    tern_risk_free(risk);
}

static void test_risk_files(void) {
    char limits[4096], instruments[4096];
    snprintf(limits, sizeof limits, "%s/examples/risk/limits.conf", repo_dir);
    snprintf(instruments, sizeof instruments, "%s/examples/risk/instruments.csv", repo_dir);
    tern_risk_t *risk = NULL;
    EXPECT_OK(tern_risk_create_from_files(limits, instruments, &risk));
    uint32_t n = 0;
    EXPECT_OK(tern_risk_instrument_count(risk, &n));
    EXPECT(n >= 2);
    tern_risk_free(risk);
    EXPECT(tern_risk_create_from_files("/nonexistent/limits", instruments, &risk) == TERN_E_IO);
    const char *bad_limits = "[firm]\ncurrency = USD\ncredit_limit = lots\n";
    const char *csv = "symbol,tick\n";
    EXPECT(tern_risk_create_from_text(bad_limits, strlen(bad_limits), csv, strlen(csv), &risk) == TERN_E_PARSE);
    EXPECT(strstr(tern_last_error(), "limits") != NULL);
}

/* MARK: Models against their libraries */

static char *read_file(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *bytes = malloc((size_t)n + 1);
    if (bytes != NULL && fread(bytes, 1, (size_t)n, f) != (size_t)n) {
        free(bytes);
        bytes = NULL;
    }
    fclose(f);
    if (bytes != NULL) bytes[n] = 0;
    *length = (size_t)n;
    return bytes;
}

/* Reads data_test.csv (40 float columns; "nan" is missing) into rows. */
static float *read_rows(size_t *row_count, size_t features) {
    char path[4096];
    snprintf(path, sizeof path, "%s/data_test.csv", models_dir);
    size_t length;
    char *text = read_file(path, &length);
    if (text == NULL) return NULL;
    float *rows = malloc(sizeof(float) * features * 1000);
    size_t r = 0;
    char *line = strchr(text, '\n') + 1; /* skip the header */
    while (line != NULL && *line != 0 && r < 1000) {
        char *cursor = line;
        for (size_t c = 0; c < features; c++) {
            rows[r * features + c] = strtof(cursor, &cursor);
            if (*cursor == ',') cursor++;
        }
        r++;
        line = strchr(line, '\n');
        if (line != NULL) line++;
    }
    free(text);
    *row_count = r;
    return rows;
}

static void test_model(const char *file, int32_t format, const char *pred_file) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", models_dir, file);
    tern_model_t *model = NULL;
    EXPECT_OK(tern_model_load_file(path, format, &model));
    if (model == NULL) return;
    tern_model_info_t info;
    EXPECT_OK(tern_model_info(model, &info));
    EXPECT(info.feature_count == 40 && info.output_count >= 1);
    char name[64];
    EXPECT_OK(tern_model_feature_name(model, 0, name, sizeof name, NULL));
    EXPECT(tern_model_feature_name(model, 1000, name, sizeof name, NULL) == TERN_E_NOT_FOUND);
    size_t rows_n = 0;
    float *rows = read_rows(&rows_n, info.feature_count);
    EXPECT(rows != NULL && rows_n == 1000);
    snprintf(path, sizeof path, "%s/%s", models_dir, pred_file);
    size_t length;
    char *preds = read_file(path, &length);
    EXPECT(preds != NULL);
    if (rows == NULL || preds == NULL) return;
    double *batch = malloc(sizeof(double) * rows_n * info.output_count);
    EXPECT_OK(tern_model_predict_batch(model, rows, rows_n, info.feature_count, 0, batch, rows_n * info.output_count));
    tern_model_t *shared = NULL;
    EXPECT_OK(tern_model_share(model, &shared));
    char *line = strchr(preds, '\n') + 1;
    size_t worst_row = 0, mismatches = 0;
    double worst = 0;
    for (size_t r = 0; r < rows_n && line != NULL && *line; r++) {
        char *cursor = strchr(line, ',') + 1;
        double margins[8], wanted[8], got[8], got_margin[8];
        for (uint32_t k = 0; k < info.output_count; k++) margins[k] = strtod(cursor, &cursor), cursor++;
        for (uint32_t k = 0; k < info.output_count; k++) wanted[k] = strtod(cursor, &cursor), cursor++;
        EXPECT_OK(tern_model_predict(shared, rows + r * info.feature_count, info.feature_count, 0, got, info.output_count));
        EXPECT_OK(tern_model_predict(model, rows + r * info.feature_count, info.feature_count, 1, got_margin, info.output_count));
        for (uint32_t k = 0; k < info.output_count; k++) {
            double tolerance = info.margin_error_bound + 1e-6 * fmax(1.0, fabs(margins[k]));
            double diff = fabs(got_margin[k] - margins[k]);
            if (diff > worst) worst = diff, worst_row = r;
            if (diff > tolerance || fabs(got[k] - wanted[k]) > 1e-6 * fmax(1.0, fabs(wanted[k])) || got[k] != batch[r * info.output_count + k]) mismatches++;
        }
        line = strchr(line, '\n');
        if (line != NULL) line++;
    }
    if (mismatches) fprintf(stderr, "%s: %zu mismatches, worst margin difference %g at row %zu\n", file, mismatches, worst, worst_row);
    EXPECT(mismatches == 0);
    uint8_t codes[4096];
    EXPECT(info.slot_count * info.code_width <= sizeof codes);
    EXPECT_OK(tern_model_quantize(model, rows, info.feature_count, codes, sizeof codes));
    EXPECT(tern_model_quantize(model, rows, info.feature_count, codes, 1) == TERN_E_INVALID);
    EXPECT(tern_model_predict(model, rows, 3, 0, batch, 1) == TERN_E_INVALID);
    free(batch);
    free(rows);
    free(preds);
    tern_model_free(shared);
    tern_model_free(model);
}

static void test_models(void) {
    test_model("xgb_small.json", TERN_MODEL_XGBOOST_JSON, "xgb_small.pred.csv");
    test_model("xgb_small.ubj", TERN_MODEL_AUTO, "xgb_small.pred.csv");
    test_model("xgb_mc.json.gz", TERN_MODEL_AUTO, "xgb_mc.pred.csv");
    test_model("lgb_small.txt", TERN_MODEL_LIGHTGBM_TEXT, "lgb_small.pred.csv");
    test_model("cb_bin.json.gz", TERN_MODEL_CATBOOST_JSON, "cb_bin.pred.csv");
    tern_model_t *model = NULL;
    EXPECT(tern_model_load_memory("{}", 2, TERN_MODEL_AUTO, &model) == TERN_E_PARSE && model == NULL);
    EXPECT(tern_model_load_file("/nonexistent.json", TERN_MODEL_AUTO, &model) == TERN_E_IO);
    EXPECT(tern_model_load_memory("{}", 2, 17, &model) == TERN_E_INVALID);
    /* Mutated model files: every one gets an answer, none traps. */
    char path[4096];
    snprintf(path, sizeof path, "%s/xgb_small.json", models_dir);
    size_t length;
    char *bytes = read_file(path, &length);
    EXPECT(bytes != NULL);
    if (bytes == NULL) return;
    srand(11);
    int loaded = 0;
    for (int i = 0; i < 150; i++) {
        char *copy = malloc(length);
        memcpy(copy, bytes, length);
        for (int k = 0; k < 1 + rand() % 8; k++) copy[(size_t)rand() % length] = "{}[]\",:0123456789-.e"[rand() % 20];
        size_t cut = rand() % 4 == 0 ? (size_t)rand() % length : length;
        tern_status_t s = tern_model_load_memory(copy, cut, TERN_MODEL_AUTO, &model);
        EXPECT(s == TERN_OK || s == TERN_E_PARSE);
        if (s == TERN_OK) loaded++, tern_model_free(model);
        free(copy);
    }
    free(bytes);
}

/* MARK: Rings */

typedef struct {
    uint64_t sequence;
    int64_t price;
} tick_t;

static void test_spsc_ring(void) {
    size_t bytes = 0;
    EXPECT(tern_spsc_ring_memory_size(3, 8, &bytes) == TERN_E_INVALID);
    EXPECT_OK(tern_spsc_ring_memory_size(sizeof(tick_t), 1000, &bytes));
    void *memory = aligned_alloc(128, (bytes + 127) / 128 * 128);
    memset(memory, 0, bytes);
    tern_spsc_ring_t *ring = NULL;
    EXPECT(tern_spsc_ring_attach(memory, bytes, &ring) == TERN_E_INVALID); /* not formatted yet */
    EXPECT(strstr(tern_last_error(), "magic") != NULL);
    EXPECT(tern_spsc_ring_format(memory, 100, sizeof(tick_t), 1000, &ring) == TERN_E_INVALID);
    EXPECT_OK(tern_spsc_ring_format(memory, bytes, sizeof(tick_t), 1000, &ring));
    tern_spsc_ring_t *reader = NULL;
    EXPECT_OK(tern_spsc_ring_attach(memory, bytes, &reader));
    tick_t t = {0, 0};
    size_t n = 0;
    EXPECT(tern_spsc_ring_pop(reader, &t, sizeof t, &n) == TERN_E_EMPTY);
    int pushed = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        tick_t m = {i, (int64_t)i * 25};
        if (tern_spsc_ring_push(ring, &m, sizeof m) == TERN_OK) pushed++;
    }
    EXPECT(pushed == 1000);
    uint64_t count = 0;
    EXPECT_OK(tern_spsc_ring_count(reader, &count));
    EXPECT(count == 1000);
    char big[64] = {0};
    EXPECT(tern_spsc_ring_push(ring, big, sizeof big) == TERN_E_INVALID);
    EXPECT(tern_spsc_ring_pop(reader, &t, 4, &n) == TERN_E_TOO_SMALL);
    uint64_t expected = 0;
    while (tern_spsc_ring_pop(reader, &t, sizeof t, &n) == TERN_OK) {
        EXPECT(n == sizeof t && t.sequence == expected && t.price == (int64_t)expected * 25);
        expected++;
    }
    EXPECT(expected == 1000);
    tern_spsc_ring_free(ring);
    tern_spsc_ring_free(reader);
    free(memory);
}

/* A producer process and a consumer process over one shared mapping. */
static void test_ring_across_processes(void) {
    enum { messages = 200000 };
    size_t bytes = 0;
    EXPECT_OK(tern_spsc_ring_memory_size(sizeof(tick_t), 1024, &bytes));
    void *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    EXPECT(memory != MAP_FAILED);
    tern_spsc_ring_t *ring = NULL;
    EXPECT_OK(tern_spsc_ring_format(memory, bytes, sizeof(tick_t), 1024, &ring));
    pid_t child = fork();
    if (child == 0) {
        tern_spsc_ring_t *producer = NULL;
        if (tern_spsc_ring_attach(memory, bytes, &producer) != TERN_OK) _exit(3);
        for (uint64_t i = 0; i < messages; i++) {
            tick_t m = {i, (int64_t)(i * 3)};
            while (tern_spsc_ring_push(producer, &m, sizeof m) == TERN_E_FULL) sched_yield();
        }
        tern_spsc_ring_free(producer);
        _exit(0);
    }
    uint64_t expected = 0, wrong = 0;
    tick_t t;
    size_t n;
    while (expected < messages) {
        if (tern_spsc_ring_pop(ring, &t, sizeof t, &n) != TERN_OK) {
            sched_yield();
            continue;
        }
        if (t.sequence != expected || t.price != (int64_t)(expected * 3)) wrong++;
        expected++;
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT(wrong == 0 && expected == messages);
    tern_spsc_ring_free(ring);
    munmap(memory, bytes);
}

static int32_t count_records(void *user_data, int32_t type, const void *body, size_t length) {
    int *seen = user_data;
    if (type == 7 && length == 5 && memcmp(body, "hello", 5) == 0) seen[0]++;
    if (type == 9) seen[1]++;
    return seen[0] + seen[1] >= seen[2]; /* stop once the wanted number has been seen */
}

static void test_byte_ring(void) {
    size_t bytes = 0;
    EXPECT(tern_byte_ring_memory_size(1000, &bytes) == TERN_E_INVALID);
    EXPECT_OK(tern_byte_ring_memory_size(4096, &bytes));
    void *memory = aligned_alloc(128, bytes);
    tern_byte_ring_t *ring = NULL;
    EXPECT_OK(tern_byte_ring_format(memory, bytes, 0, &ring));
    EXPECT_OK(tern_byte_ring_write(ring, 7, "hello", 5));
    void *body = NULL;
    EXPECT_OK(tern_byte_ring_claim(ring, 9, 16, &body));
    EXPECT(tern_byte_ring_claim(ring, 9, 16, &body) == TERN_E_STATE);
    memset(body, 0xAB, 16);
    EXPECT_OK(tern_byte_ring_commit(ring));
    EXPECT(tern_byte_ring_commit(ring) == TERN_E_STATE);
    EXPECT_OK(tern_byte_ring_write(ring, 7, "hello", 5));
    EXPECT(tern_byte_ring_write(ring, 0, "x", 1) == TERN_E_INVALID);
    EXPECT(tern_byte_ring_write(ring, 7, memory, 100000) == TERN_E_INVALID);
    tern_byte_ring_t *reader = NULL;
    EXPECT_OK(tern_byte_ring_attach(memory, bytes, &reader));
    int seen[3] = {0, 0, 2};
    uint32_t n = 0;
    EXPECT_OK(tern_byte_ring_read(reader, 0, count_records, seen, &n));
    EXPECT(n == 2 && seen[0] == 1 && seen[1] == 1); /* stopped after two */
    seen[2] = 100;
    EXPECT_OK(tern_byte_ring_read(reader, 0, count_records, seen, &n));
    EXPECT(n == 1 && seen[0] == 2);
    EXPECT(tern_byte_ring_read(reader, 0, count_records, seen, &n) == TERN_E_EMPTY);
    int filled = 0;
    char chunk[200];
    memset(chunk, 1, sizeof chunk);
    while (tern_byte_ring_write(ring, 3, chunk, sizeof chunk) == TERN_OK) filled++;
    EXPECT(filled > 10 && filled < 25);
    tern_byte_ring_free(ring);
    tern_byte_ring_free(reader);
    free(memory);
}

/* MARK: Journal */

static int32_t check_record(void *user_data, const tern_journal_record_t *record) {
    uint64_t *state = user_data; /* [0] records seen, [1] bad */
    uint64_t value = 0;
    if (record->type == 0x8001 && record->length == sizeof value) {
        memcpy(&value, record->payload, sizeof value);
        if (value != state[0] * 7 || record->timestamp_ns != (int64_t)(1000 + state[0])) state[1]++;
        state[0]++;
    }
    return 0;
}

static void test_journal(void) {
    char directory[] = "/tmp/tern-c-journal-XXXXXX";
    EXPECT(mkdtemp(directory) != NULL);
    tern_journal_options_t options;
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.sync = TERN_SYNC_EVERY_BATCH;
    options.segment_bytes = 1 << 20;
    options.writer_cpu = -1;
    tern_journal_t *journal = NULL;
    tern_journal_options_t bad = options;
    bad.sync = 9;
    EXPECT(tern_journal_open(directory, &bad, &journal) == TERN_E_INVALID);
    EXPECT_OK(tern_journal_open(directory, &options, &journal));
    uint64_t sequence = 0, last = 0;
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t value = i * 7;
        tern_status_t s;
        while ((s = tern_journal_append(journal, 0x8001, (int64_t)(1000 + i), &value, sizeof value, &sequence)) == TERN_E_FULL) usleep(100);
        EXPECT(s == TERN_OK);
        last = sequence;
    }
    EXPECT(tern_journal_append(journal, 12, 0, NULL, 0, &sequence) == TERN_E_INVALID);
    EXPECT_OK(tern_journal_wait_durable(journal, last));
    EXPECT_OK(tern_journal_close(journal));
    tern_journal_report_t report;
    EXPECT_OK(tern_journal_verify(directory, &report));
    EXPECT(report.records >= 5000 && report.clean == 1 && report.last_sequence == last);
    uint64_t state[2] = {0, 0};
    EXPECT_OK(tern_journal_iterate(directory, check_record, state));
    EXPECT(state[0] == 5000 && state[1] == 0);
    /* Reopen: the journal continues after its last record. */
    EXPECT_OK(tern_journal_open(directory, NULL, &journal));
    uint64_t value = 0;
    EXPECT_OK(tern_journal_append(journal, 0x8002, 1, &value, sizeof value, &sequence));
    EXPECT(sequence == last + 1);
    EXPECT_OK(tern_journal_close(journal));
    EXPECT(tern_journal_verify("/nonexistent/journal", &report) != TERN_OK);
    char command[256];
    snprintf(command, sizeof command, "rm -rf %s", directory);
    EXPECT(system(command) == 0);
}

/* MARK: Engine with a C strategy and a C gateway */

typedef struct {
    int started, stopped, markets, trades, orders, accepted_seen;
    int sent_new, sent_cancel;
    uint64_t last_client_order_id;
    tern_order_event_t pending;
    int has_pending;
    uint32_t instrument;
} harness_t;

static void on_start(void *user_data, tern_engine_t *engine) {
    (void)engine;
    ((harness_t *)user_data)->started++;
}
static void on_stop(void *user_data, tern_engine_t *engine) {
    (void)engine;
    ((harness_t *)user_data)->stopped++;
}
static void on_market(void *user_data, tern_engine_t *engine, const tern_book_top_t *top) {
    harness_t *h = user_data;
    h->markets++;
    if (h->markets == 1 && top->bid_price > 0) {
        tern_order_intent_t intent;
        memset(&intent, 0, sizeof intent);
        intent.instrument_id = top->instrument_id;
        intent.side = TERN_SIDE_BUY;
        intent.price = top->bid_price;
        intent.quantity = TERN_QUANTITY_SCALE;
        tern_risk_decision_t d;
        uint64_t id = 0;
        if (tern_engine_submit(engine, &intent, &id, &d) == TERN_OK && d.accepted) h->last_client_order_id = id;
    }
}
static void on_trade(void *user_data, tern_engine_t *engine, uint32_t instrument, int32_t aggressor, tern_price_t price, tern_quantity_t size) {
    (void)engine, (void)instrument, (void)aggressor, (void)price, (void)size;
    ((harness_t *)user_data)->trades++;
}
static void on_order(void *user_data, tern_engine_t *engine, const tern_order_event_t *event) {
    (void)engine;
    harness_t *h = user_data;
    h->orders++;
    if (event->kind == TERN_EVENT_ACCEPTED && event->client_order_id == h->last_client_order_id) h->accepted_seen++;
}
static void gateway_send(void *user_data, int32_t kind, const tern_order_t *order, const tern_order_change_t *change) {
    harness_t *h = user_data;
    if (kind == TERN_REQUEST_NEW && order != NULL) {
        h->sent_new++;
        memset(&h->pending, 0, sizeof h->pending);
        h->pending.kind = TERN_EVENT_ACCEPTED;
        h->pending.client_order_id = order->client_order_id;
        h->pending.order_id = 9000 + order->client_order_id;
        h->pending.instrument_id = order->instrument_id;
        h->pending.timestamp_ns = order->timestamp_ns;
        h->has_pending = 1;
    } else if (kind == TERN_REQUEST_CANCEL && change != NULL) {
        h->sent_cancel++;
        memset(&h->pending, 0, sizeof h->pending);
        h->pending.kind = TERN_EVENT_CANCEL_ACCEPTED;
        h->pending.client_order_id = change->client_order_id;
        h->pending.original_client_order_id = change->original_client_order_id;
        h->pending.order_id = 9000 + change->original_client_order_id;
        h->pending.instrument_id = change->instrument_id;
        h->pending.quantity = TERN_QUANTITY_SCALE;
        h->pending.timestamp_ns = change->timestamp_ns;
        h->has_pending = 1;
    }
}
static int32_t gateway_next_report(void *user_data, int64_t now_ns, tern_order_event_t *out) {
    (void)now_ns;
    harness_t *h = user_data;
    if (!h->has_pending) return 0;
    *out = h->pending;
    h->has_pending = 0;
    return 1;
}

static tern_market_event_t market(uint8_t action, uint8_t side, uint64_t order_id, const char *price, int64_t size, int64_t t, uint8_t flags) {
    tern_market_event_t e;
    memset(&e, 0, sizeof e);
    e.action = action;
    e.side = side;
    e.order_id = order_id;
    e.price = px(price);
    e.size = size * TERN_QUANTITY_SCALE;
    e.exchange_time_ns = t;
    e.flags = flags;
    return e;
}

static void test_engine_push(void) {
    tern_engine_t *engine = NULL;
    EXPECT_OK(tern_engine_create(NULL, &engine));
    harness_t h;
    memset(&h, 0, sizeof h);
    tern_strategy_t strategy;
    memset(&strategy, 0, sizeof strategy);
    strategy.struct_size = 4;
    EXPECT(tern_engine_set_strategy(engine, &strategy, &h) == TERN_E_ABI);
    strategy.struct_size = sizeof strategy;
    strategy.on_start = on_start;
    strategy.on_stop = on_stop;
    strategy.on_market = on_market;
    strategy.on_trade = on_trade;
    strategy.on_order = on_order;
    tern_gateway_t gateway;
    memset(&gateway, 0, sizeof gateway);
    gateway.struct_size = sizeof gateway;
    gateway.send = gateway_send;
    gateway.next_report = gateway_next_report;
    EXPECT_OK(tern_engine_set_strategy(engine, &strategy, &h));
    EXPECT_OK(tern_engine_set_gateway(engine, &gateway, &h));
    tern_market_event_t e = market(TERN_MARKET_ADD, TERN_BOOK_BID, 1, "4500.00", 5, INT64_C(1767225600000000000), 0);
    EXPECT(tern_engine_push(engine, &e) == TERN_E_STATE);
    EXPECT_OK(tern_engine_start(engine));
    EXPECT(tern_engine_set_strategy(engine, &strategy, &h) == TERN_E_STATE);
    EXPECT(h.started == 1);
    tern_risk_t *risk = NULL;
    EXPECT_OK(tern_engine_risk(engine, &risk));
    uint32_t instrument = 0;
    EXPECT_OK(tern_risk_lookup(risk, TERN_NAME_INSTRUMENT, "SYN", &instrument)); /* the built-in demo's instrument */
    int64_t t = INT64_C(1767225600000000000);
    e = market(TERN_MARKET_ADD, TERN_BOOK_BID, 1, "4500.00", 5, t, 0);
    e.instrument_id = instrument;
    EXPECT_OK(tern_engine_push(engine, &e));
    e = market(TERN_MARKET_ADD, TERN_BOOK_ASK, 2, "4500.25", 4, t, TERN_MARKET_END_OF_BATCH);
    e.instrument_id = instrument;
    EXPECT_OK(tern_engine_push(engine, &e));
    EXPECT(h.markets == 1 && h.sent_new == 1 && h.last_client_order_id != 0);
    tern_book_top_t top;
    EXPECT_OK(tern_engine_book_top(engine, instrument, &top));
    EXPECT(top.bid_price == px("4500.00") && top.ask_size == 4 * TERN_QUANTITY_SCALE);
    e = market(TERN_MARKET_TRADE, TERN_BOOK_ASK, 0, "4500.25", 1, t + 1000, TERN_MARKET_END_OF_BATCH);
    e.instrument_id = instrument;
    EXPECT_OK(tern_engine_push(engine, &e));
    EXPECT(h.accepted_seen == 1 && h.trades == 1);
    e.action = 99;
    EXPECT(tern_engine_push(engine, &e) == TERN_E_INVALID);
    EXPECT(tern_engine_cancel(engine, 987654, NULL) == TERN_E_NOT_FOUND);
    int64_t position = -1;
    EXPECT_OK(tern_engine_position(engine, instrument, &position));
    EXPECT(position == 0);
    tern_engine_counters_t c;
    EXPECT_OK(tern_engine_finish(engine, &c));
    EXPECT(h.stopped == 1 && c.orders_sent == 1 && c.events == 3 && h.sent_cancel == 1);
    EXPECT(tern_engine_finish(engine, &c) == TERN_E_STATE);
    tern_engine_free(engine);
}

static void test_engine_run(void) {
    char path[] = "/tmp/tern-c-engine-XXXXXX.conf";
    int fd = mkstemps(path, 5);
    EXPECT(fd >= 0);
    const char *config = "[data]\nformat = synthetic\nmessages = 20000\n\n[threads]\nmode = single\n";
    EXPECT(write(fd, config, strlen(config)) == (ssize_t)strlen(config));
    close(fd);
    tern_engine_t *engine = NULL;
    EXPECT_OK(tern_engine_create(path, &engine));
    tern_engine_counters_t c;
    EXPECT_OK(tern_engine_run(engine, &c));
    EXPECT(c.events > 20000 && c.orders_sent > 0);
    EXPECT(tern_engine_run(engine, &c) == TERN_E_STATE);
    tern_engine_free(engine);
    unlink(path);
    EXPECT(tern_engine_create("/nonexistent/tern.conf", &engine) == TERN_E_INVALID);
    EXPECT(strstr(tern_last_error(), "nonexistent") != NULL);
}

/* MARK: An engine fed by a C producer process through a shared ring ([data] format = ring) */

/* The producer: formats the ring under a temporary name, renames it into place (so the engine
 * never sees a half-made file), pushes `messages` two-sided quotes for instrument 0 (ESH4), then
 * one bad record if asked, then END_OF_STREAM. */
static int produce_ring_feed(const char *path, int messages, int bad_record) {
    char temporary[256];
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    size_t bytes = 0;
    if (tern_spsc_ring_memory_size(sizeof(tern_market_event_t), 512, &bytes) != TERN_OK) return 10;
    int fd = open(temporary, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0) return 11;
    void *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (memory == MAP_FAILED) return 12;
    tern_spsc_ring_t *ring = NULL;
    if (tern_spsc_ring_format(memory, bytes, sizeof(tern_market_event_t), 512, &ring) != TERN_OK) return 13;
    if (rename(temporary, path) != 0) return 14;
    int64_t t = INT64_C(1703500000000000000);
    tern_price_t bid = INT64_C(4500) * TERN_PRICE_SCALE, tick = TERN_PRICE_SCALE / 4;
    for (int i = 0; i < messages; i++) {
        uint64_t id = 10 + 2 * (uint64_t)i;
        bid += (i % 7 < 3) ? tick : -tick;
        t += 1000000;
        tern_market_event_t e[4];
        memset(e, 0, sizeof e);
        e[0].action = TERN_MARKET_ADD, e[0].side = TERN_BOOK_BID, e[0].order_id = id, e[0].price = bid;
        e[0].size = (1 + i % 5) * TERN_QUANTITY_SCALE, e[0].exchange_time_ns = t;
        e[1].action = TERN_MARKET_ADD, e[1].side = TERN_BOOK_ASK, e[1].order_id = id + 1, e[1].price = bid + tick;
        e[1].size = (1 + i % 3) * TERN_QUANTITY_SCALE, e[1].exchange_time_ns = t, e[1].flags = TERN_MARKET_END_OF_BATCH;
        e[2].action = TERN_MARKET_DELETE, e[2].side = TERN_BOOK_BID, e[2].order_id = id - 8, e[2].exchange_time_ns = t;
        e[3].action = TERN_MARKET_DELETE, e[3].side = TERN_BOOK_ASK, e[3].order_id = id - 7, e[3].exchange_time_ns = t;
        e[3].flags = TERN_MARKET_END_OF_BATCH;
        for (int k = 0; k < (i > 4 ? 4 : 2); k++)
            while (tern_spsc_ring_push(ring, &e[k], sizeof e[k]) == TERN_E_FULL) sched_yield();
    }
    tern_market_event_t end;
    memset(&end, 0, sizeof end);
    if (bad_record) {
        end.action = 42; /* not a TERN_MARKET_* code */
        end.flags = TERN_MARKET_END_OF_BATCH;
        while (tern_spsc_ring_push(ring, &end, sizeof end) == TERN_E_FULL) sched_yield();
    }
    end.action = TERN_MARKET_END_OF_STREAM;
    while (tern_spsc_ring_push(ring, &end, sizeof end) == TERN_E_FULL) sched_yield();
    tern_spsc_ring_free(ring);
    munmap(memory, bytes);
    return 0;
}

static tern_book_top_t ring_last_top;
static void ring_on_market(void *user_data, tern_engine_t *engine, const tern_book_top_t *top) {
    ring_last_top = *top;
    on_market(user_data, engine, top);
}

static void test_engine_ring_feed(void) {
    for (int bad = 0; bad <= 1; bad++) {
        char ring_path[128], config_path[] = "/tmp/tern-c-ring-XXXXXX.conf", config[3 * PATH_MAX], repo[PATH_MAX];
        EXPECT(realpath(repo_dir, repo) != NULL); /* the config's paths are read from its own folder */
        snprintf(ring_path, sizeof ring_path, "/dev/shm/tern-c-ring-%d-%d", (int)getpid(), bad);
        unlink(ring_path);
        int fd = mkstemps(config_path, 5);
        EXPECT(fd >= 0);
        snprintf(config, sizeof config,
                 "[data]\nformat = ring\nfile = %s\nsymbol = ESH4\nwait = 20s\n\n"
                 "[risk]\nlimits = %s/examples/engine/limits.conf\ninstruments = %s/examples/engine/instruments.csv\n\n"
                 "[threads]\nmode = threaded\nfeed_cpu = none\nengine_cpu = none\ngateway_cpu = none\njournal_cpu = none\n",
                 ring_path, repo, repo);
        EXPECT(write(fd, config, strlen(config)) == (ssize_t)strlen(config));
        close(fd);
        const int messages = 20000;
        pid_t child = fork();
        if (child == 0) _exit(produce_ring_feed(ring_path, messages, bad));
        tern_engine_t *engine = NULL;
        EXPECT_OK(tern_engine_create(config_path, &engine)); /* waits for the producer's ring */
        if (engine == NULL) {
            kill(child, SIGKILL);
            waitpid(child, NULL, 0);
            continue;
        }
        harness_t h;
        memset(&h, 0, sizeof h);
        tern_strategy_t strategy;
        memset(&strategy, 0, sizeof strategy);
        strategy.struct_size = sizeof strategy;
        strategy.on_market = ring_on_market;
        EXPECT_OK(tern_engine_set_strategy(engine, &strategy, &h));
        tern_engine_counters_t c;
        tern_status_t status = tern_engine_run(engine, &c);
        int child_status = 0;
        EXPECT(waitpid(child, &child_status, 0) == child && WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);
        uint64_t events = 4 * (uint64_t)messages - 10, batches = 2 * (uint64_t)messages - 5;
        EXPECT(c.events == events && h.markets == (int)batches);
        if (bad) {
            EXPECT(status == TERN_E_PARSE);
            EXPECT(strstr(tern_last_error(), "action 42 is not a TERN_MARKET_* code") != NULL);
        } else {
            EXPECT_OK(status);
            /* The last quote: message i > 4 deletes the orders of message i - 4, which leaves
             * those of the first and the last four messages; the best bid is the highest of
             * their bids and the best ask the lowest of their asks (each a tick above its bid;
             * the walk crosses the book, which an L3 book keeps as the venue sent it). */
            tern_price_t bid = INT64_C(4500) * TERN_PRICE_SCALE, best_bid = 0, best_ask = INT64_MAX;
            for (int i = 0; i < messages; i++) {
                bid += (i % 7 < 3) ? TERN_PRICE_SCALE / 4 : -TERN_PRICE_SCALE / 4;
                if (i == 0 || i >= messages - 4) {
                    if (bid > best_bid) best_bid = bid;
                    if (bid + TERN_PRICE_SCALE / 4 < best_ask) best_ask = bid + TERN_PRICE_SCALE / 4;
                }
            }
            EXPECT(ring_last_top.instrument_id == 0 && ring_last_top.bid_price == best_bid && ring_last_top.ask_price == best_ask);
            if (ring_last_top.bid_price != best_bid || ring_last_top.ask_price != best_ask)
                fprintf(stderr, "ring top: bid %lld ask %lld, expected %lld %lld\n", (long long)ring_last_top.bid_price,
                        (long long)ring_last_top.ask_price, (long long)best_bid, (long long)best_ask);
        }
        tern_engine_free(engine);
        unlink(config_path);
        unlink(ring_path);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SHARED_MODELS_DIR REPOSITORY_DIR\n", argv[0]);
        return 2;
    }
    models_dir = argv[1];
    repo_dir = argv[2];
    test_basics();
    test_fixed_point();
    test_risk();
    test_risk_files();
    test_models();
    test_spsc_ring();
    test_ring_across_processes();
    test_byte_ring();
    test_journal();
    test_engine_push();
    test_engine_run();
    test_engine_ring_feed();
    printf("C ABI tests: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
