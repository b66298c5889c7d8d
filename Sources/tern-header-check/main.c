// The header check SwiftPM builds: clang compiles include/tern.h as C11 here and links the
// program with TernABI, so a header that does not compile, a struct whose layout moved (the
// sizes below are the ABI of TERN_ABI_VERSION 1: change them only with a version bump), or a
// declared function with no implementation fails `swift build`. It then calls one function
// of each area. scripts/check-c-abi.sh runs it.
#include "../../include/tern.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(tern_money_t) == 16, "tern_money_t");
_Static_assert(sizeof(tern_instrument_t) == 88, "tern_instrument_t");
_Static_assert(sizeof(tern_order_t) == 64, "tern_order_t");
_Static_assert(sizeof(tern_order_change_t) == 56, "tern_order_change_t");
_Static_assert(sizeof(tern_order_event_t) == 96, "tern_order_event_t");
_Static_assert(sizeof(tern_rate_limit_t) == 16, "tern_rate_limit_t");
_Static_assert(sizeof(tern_price_band_t) == 16, "tern_price_band_t");
_Static_assert(sizeof(tern_instrument_limits_t) == 232, "tern_instrument_limits_t");
_Static_assert(sizeof(tern_account_limits_t) == 128, "tern_account_limits_t");
_Static_assert(sizeof(tern_strategy_limits_t) == 80, "tern_strategy_limits_t");
_Static_assert(sizeof(tern_risk_config_t) == 176, "tern_risk_config_t");
_Static_assert(offsetof(tern_risk_config_t, fx_max_age_ms) == 20, "fx_max_age_ms took the place of reserved bytes");
_Static_assert(sizeof(tern_risk_decision_t) == 48, "tern_risk_decision_t");
_Static_assert(sizeof(tern_kill_scope_t) == 8, "tern_kill_scope_t");
_Static_assert(sizeof(tern_position_t) == 128, "tern_position_t");
_Static_assert(sizeof(tern_exposure_t) == 112, "tern_exposure_t");
_Static_assert(sizeof(tern_model_info_t) == 112, "tern_model_info_t");
_Static_assert(sizeof(tern_journal_options_t) == 40, "tern_journal_options_t");
_Static_assert(sizeof(tern_journal_report_t) == 64, "tern_journal_report_t");
_Static_assert(sizeof(tern_journal_record_t) == 40, "tern_journal_record_t");
_Static_assert(sizeof(tern_market_event_t) == 40, "tern_market_event_t");
_Static_assert(sizeof(tern_book_top_t) == 56, "tern_book_top_t");
_Static_assert(sizeof(tern_order_intent_t) == 24, "tern_order_intent_t");
_Static_assert(sizeof(tern_strategy_t) == 48, "tern_strategy_t");
_Static_assert(sizeof(tern_gateway_t) == 24, "tern_gateway_t");
_Static_assert(sizeof(tern_engine_counters_t) == 96, "tern_engine_counters_t");

int main(void) {
    if (tern_abi_version() != TERN_ABI_VERSION) {
        fprintf(stderr, "header ABI %d, library ABI %u\n", TERN_ABI_VERSION, tern_abi_version());
        return 1;
    }
    tern_price_t price = 0;
    char text[TERN_DECIMAL_BUFFER_SIZE];
    if (tern_price_parse("4500.25", 7, &price) != TERN_OK || tern_price_format(price, 2, text, sizeof text, NULL) != TERN_OK ||
        strcmp(text, "4500.25") != 0) {
        fprintf(stderr, "price round trip failed: %s\n", tern_last_error());
        return 1;
    }
    size_t bytes = 0;
    if (tern_spsc_ring_memory_size(64, 1024, &bytes) != TERN_OK || tern_model_load_memory("{}", 2, TERN_MODEL_AUTO, &(tern_model_t *){NULL}) != TERN_E_PARSE) {
        fprintf(stderr, "ring or model call failed: %s\n", tern_last_error());
        return 1;
    }
    printf("tern %s: header and library agree (ABI %d)\n", tern_version(), TERN_ABI_VERSION);
    return 0;
}
