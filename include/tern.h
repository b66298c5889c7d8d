/*
 * tern.h: the C ABI of Tern, an embeddable low-latency trading engine.
 *
 * The one public C header. It is the contract: the Swift module TernABI implements every function
 * below with @c @implementation, so a Swift body that drifts from a declaration here fails the
 * build, and scripts/check-c-abi.sh proves that libtern.so exports exactly these functions.
 *
 * Conventions (docs/c-api.md has the long form):
 *   - Every fallible call returns tern_status_t: TERN_OK (0) or a negative TERN_E_* code.
 *     tern_status_message(code) names the code; tern_last_error() holds the calling thread's
 *     precise message for its last failed call ("limits line 12: credit_limit: expected ...").
 *   - Results come back through out-parameters, written only on TERN_OK.
 *   - A NULL or invalid argument returns a status (TERN_E_NULL, TERN_E_INVALID); it never crashes.
 *   - Handles are opaque pointers. The function that creates one documents who frees it.
 *   - Only fixed-width types. Prices and quantities are raw int64_t fixed-point numbers:
 *     value = raw / TERN_PRICE_SCALE. Money (notionals, P&L, limits) is 128-bit, 10^-18 units.
 *   - Times are int64_t nanoseconds since the Unix epoch (market time, as the venue stamps it).
 *   - Callbacks take a void *user_data first, passed back untouched.
 *   - Thread safety is stated per function. "Owning thread" means: one thread at a time, the same
 *     discipline as a non-thread-safe C object; "any thread" means concurrent calls are safe.
 *   - Tern never unwinds into C. A broken internal invariant aborts the process (it does not
 *     leave orders working behind a half-updated risk state); expected failures return codes.
 *
 * Each function names the Swift API it forwards to, so the Swift documentation applies.
 */
#ifndef TERN_H
#define TERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================= */
/* Version and status                                                                             */
/* ============================================================================================= */

#define TERN_VERSION_MAJOR 0
#define TERN_VERSION_MINOR 1
#define TERN_VERSION_PATCH 0
/** The ABI this header describes. Bumped on any incompatible change to a function or struct. */
#define TERN_ABI_VERSION 1

/** "major.minor.patch" of the library (static storage; never free it). Any thread. */
const char *tern_version(void);
/** The library's TERN_ABI_VERSION; compare with the header's at start-up. Any thread. */
uint32_t tern_abi_version(void);

typedef int32_t tern_status_t;
#define TERN_OK 0
#define TERN_E_NULL (-1)        /**< a required pointer argument was NULL */
#define TERN_E_INVALID (-2)     /**< an argument is out of range or inconsistent */
#define TERN_E_PARSE (-3)       /**< text, a file or a model was rejected (tern_last_error says where) */
#define TERN_E_IO (-4)          /**< a file could not be opened, read or written */
#define TERN_E_STATE (-5)       /**< not allowed in the object's current state */
#define TERN_E_FULL (-6)        /**< a ring or table is full; retry later */
#define TERN_E_EMPTY (-7)       /**< nothing to read */
#define TERN_E_TOO_SMALL (-8)   /**< an output buffer is too small (the size needed is reported) */
#define TERN_E_NOT_FOUND (-9)   /**< no such name or id */
#define TERN_E_OVERFLOW (-10)   /**< the result does not fit the type */
#define TERN_E_MEMORY (-11)     /**< memory could not be allocated or mapped */
#define TERN_E_REFUSED (-12)    /**< an operator action was refused (not an operator, cause holds) */
#define TERN_E_ABI (-13)        /**< a struct's struct_size field does not match this library */

/** A fixed English description of `status` (static storage). Unknown codes get a generic text.
 *  Any thread. */
const char *tern_status_message(tern_status_t status);
/** The calling thread's message for its last call that failed; "" if none has. Valid until the
 *  thread's next failing Tern call. Any thread (the message is thread-local). */
const char *tern_last_error(void);

/* ============================================================================================= */
/* Fixed-point numbers (Swift: TernCore.Price, Quantity, Money)                                  */
/* ============================================================================================= */

/** Raw units per 1.0 of a price or a quantity: nine decimal places. */
#define TERN_PRICE_SCALE INT64_C(1000000000)
#define TERN_QUANTITY_SCALE INT64_C(1000000000)
/** Decimal places of tern_money_t (raw units per 1.0 = 10^18, which does not fit int64_t). */
#define TERN_MONEY_FRACTION_DIGITS 18
/** Longest text tern_*_format writes, plus the terminating NUL. */
#define TERN_DECIMAL_BUFFER_SIZE 48

typedef int64_t tern_price_t;
typedef int64_t tern_quantity_t;
/** A signed 128-bit count of 10^-18 currency units, as two's complement halves. */
typedef struct tern_money {
    uint64_t lo;
    int64_t hi;
} tern_money_t;

/** Rounding rules (Swift: TernCore.RoundingRule). */
#define TERN_ROUND_DOWN 0
#define TERN_ROUND_UP 1
#define TERN_ROUND_TOWARD_ZERO 2
#define TERN_ROUND_AWAY_FROM_ZERO 3
#define TERN_ROUND_HALF_EVEN 4
#define TERN_ROUND_HALF_AWAY_FROM_ZERO 5

/** Parses decimal text ("101.25", "-0.5", "1e-3" is rejected) of `length` bytes (no NUL needed)
 *  exactly; more than nine fraction digits is TERN_E_PARSE. Swift: Price.parse(utf8:). Any thread. */
tern_status_t tern_price_parse(const char *text, size_t length, tern_price_t *out_price);
tern_status_t tern_quantity_parse(const char *text, size_t length, tern_quantity_t *out_quantity);
tern_status_t tern_money_parse(const char *text, size_t length, tern_money_t *out_money);
/** Parses with a rounding rule instead of rejecting extra fraction digits. Any thread. */
tern_status_t tern_price_parse_rounded(const char *text, size_t length, int32_t rounding, tern_price_t *out_price);

/** Writes the shortest exact decimal text (at least `min_fraction_digits` fraction digits) and a
 *  NUL into `buffer`; `*out_length` (optional) gets the length without the NUL. TERN_E_TOO_SMALL
 *  if `capacity` is short (TERN_DECIMAL_BUFFER_SIZE always suffices). Any thread. */
tern_status_t tern_price_format(tern_price_t price, uint32_t min_fraction_digits, char *buffer, size_t capacity, size_t *out_length);
tern_status_t tern_quantity_format(tern_quantity_t quantity, uint32_t min_fraction_digits, char *buffer, size_t capacity, size_t *out_length);
tern_status_t tern_money_format(tern_money_t money, uint32_t min_fraction_digits, char *buffer, size_t capacity, size_t *out_length);

/** `whole` currency units as money (cannot fail). Any thread. */
tern_money_t tern_money_from_units(int64_t whole);
/** Rounds `price` to a multiple of `increment` (> 0) by `rounding`. Swift: Price.rounded(toMultipleOf:_:).
 *  Any thread. */
tern_status_t tern_price_round(tern_price_t price, tern_price_t increment, int32_t rounding, tern_price_t *out_price);
/** price × quantity × multiplier (multiplier at TERN_PRICE_SCALE; 1.0 = TERN_PRICE_SCALE), exact.
 *  Swift: Money.notional. Any thread. */
tern_status_t tern_notional(tern_price_t price, tern_quantity_t quantity, int64_t multiplier, tern_money_t *out_money);

/* ============================================================================================= */
/* Instruments (Swift: TernCore.InstrumentSpec)                                                  */
/* ============================================================================================= */

#define TERN_SYMBOL_CAPACITY 32
#define TERN_CURRENCY_CAPACITY 8

/** One tradable instrument. Text fields are NUL-terminated (so at most capacity - 1 bytes). */
typedef struct tern_instrument {
    uint32_t id;                        /**< dense index: instrument i of a table has id i */
    uint8_t allows_negative_prices;     /**< 0 or 1 */
    uint8_t currency_exponent;          /**< minor-unit digits of `currency` (USD 2, JPY 0) */
    uint8_t reserved[2];                /**< zero */
    char symbol[TERN_SYMBOL_CAPACITY];
    char currency[TERN_CURRENCY_CAPACITY];
    tern_price_t tick_size;             /**< > 0 */
    tern_quantity_t lot_size;           /**< > 0 */
    int64_t multiplier;                 /**< contract multiplier at TERN_PRICE_SCALE (1.0 = TERN_PRICE_SCALE) */
    tern_quantity_t min_quantity;       /**< > 0; 0 means one lot */
    tern_quantity_t max_quantity;       /**< >= min_quantity */
} tern_instrument_t;

/** Checks an order's price and quantity against an instrument's tick, lot and size rules.
 *  TERN_OK if they pass; TERN_E_INVALID with the reason code (TERN_REJECT_*) in `*out_reason`
 *  (optional) if not. Any thread. */
tern_status_t tern_instrument_check(const tern_instrument_t *instrument, tern_price_t price, tern_quantity_t quantity, uint16_t *out_reason);

/* ============================================================================================= */
/* Orders, events and reject reasons (Swift: TernCore.NewOrder, OrderEvent, RejectReason)         */
/* ============================================================================================= */

#define TERN_SIDE_BUY 1
#define TERN_SIDE_SELL 2
#define TERN_ORDER_LIMIT 1
#define TERN_ORDER_MARKET 2
#define TERN_ORDER_STOP 3
#define TERN_ORDER_STOP_LIMIT 4
#define TERN_TIF_DAY 1
#define TERN_TIF_GTC 2
#define TERN_TIF_IOC 3
#define TERN_TIF_FOK 4
#define TERN_TIF_GTD 5
#define TERN_ORDER_FLAG_REDUCE_ONLY 0x01
#define TERN_ORDER_FLAG_POST_ONLY 0x02

/** A new order. Zero-initialize, then set the fields. */
typedef struct tern_order {
    uint64_t client_order_id;           /**< unique per trading day, > 0 */
    uint32_t instrument_id;
    uint32_t account_id;
    uint32_t strategy_id;
    uint8_t side;                       /**< TERN_SIDE_* */
    uint8_t order_type;                 /**< TERN_ORDER_* */
    uint8_t time_in_force;              /**< TERN_TIF_* */
    uint8_t flags;                      /**< TERN_ORDER_FLAG_* */
    tern_price_t price;                 /**< limit price (limit and stop-limit orders) */
    tern_price_t stop_price;            /**< stop and stop-limit orders */
    tern_quantity_t quantity;
    int64_t expire_time_ns;             /**< TERN_TIF_GTD only */
    int64_t timestamp_ns;
} tern_order_t;

/** A cancel (kind TERN_REQUEST_CANCEL) or a replace (TERN_REQUEST_REPLACE) of a working order. */
typedef struct tern_order_change {
    uint64_t client_order_id;           /**< the request's own id */
    uint64_t original_client_order_id;  /**< the order it changes */
    uint32_t instrument_id;
    uint32_t account_id;
    uint8_t side;
    uint8_t reserved[7];
    tern_price_t price;                 /**< replace: the new price */
    tern_quantity_t quantity;           /**< replace: the new total quantity */
    int64_t timestamp_ns;
} tern_order_change_t;

/** Execution report kinds (Swift: OrderEvent cases). */
#define TERN_EVENT_ACCEPTED 1
#define TERN_EVENT_REJECTED 2
#define TERN_EVENT_FILLED 3
#define TERN_EVENT_CANCEL_ACCEPTED 4
#define TERN_EVENT_CANCEL_REJECTED 5
#define TERN_EVENT_REPLACE_ACCEPTED 6
#define TERN_EVENT_REPLACE_REJECTED 7
#define TERN_EVENT_EXPIRED 8

#define TERN_LIQUIDITY_UNKNOWN 0
#define TERN_LIQUIDITY_MAKER 1
#define TERN_LIQUIDITY_TAKER 2
#define TERN_ORIGIN_RISK 1
#define TERN_ORIGIN_VENUE 2

/** One execution report from a venue. Which fields matter depends on `kind`:
 *  ACCEPTED: client_order_id, order_id, instrument_id.
 *  REJECTED / CANCEL_REJECTED / REPLACE_REJECTED: client_order_id, original_client_order_id, reason, origin.
 *  FILLED: client_order_id, order_id, execution_id, side, liquidity, price, quantity (this fill),
 *          leaves_quantity, fee (optional venue fee, money).
 *  CANCEL_ACCEPTED / EXPIRED: client_order_id, original_client_order_id, order_id, quantity (closed).
 *  REPLACE_ACCEPTED: client_order_id, original_client_order_id, order_id, price, quantity, leaves_quantity. */
typedef struct tern_order_event {
    uint8_t kind;                       /**< TERN_EVENT_* */
    uint8_t side;
    uint8_t liquidity;                  /**< TERN_LIQUIDITY_* */
    uint8_t origin;                     /**< TERN_ORIGIN_* */
    uint16_t reason;                    /**< TERN_REJECT_* */
    uint8_t reserved[2];
    uint32_t instrument_id;
    uint32_t reserved2;
    uint64_t client_order_id;
    uint64_t original_client_order_id;
    uint64_t order_id;
    uint64_t execution_id;
    tern_price_t price;
    tern_quantity_t quantity;
    tern_quantity_t leaves_quantity;
    int64_t timestamp_ns;
    tern_money_t fee;
} tern_order_event_t;

/** Reject reasons (docs/reason-codes.md; stable numbers). */
#define TERN_REJECT_NONE 0
#define TERN_REJECT_UNKNOWN_INSTRUMENT 101
#define TERN_REJECT_UNKNOWN_ACCOUNT 102
#define TERN_REJECT_INSTRUMENT_INVALID 103
#define TERN_REJECT_PRICE_NOT_ON_TICK 104
#define TERN_REJECT_PRICE_INVALID 105
#define TERN_REJECT_QUANTITY_INVALID 106
#define TERN_REJECT_QUANTITY_NOT_ON_LOT 107
#define TERN_REJECT_QUANTITY_BELOW_MINIMUM 108
#define TERN_REJECT_QUANTITY_ABOVE_MAXIMUM 109
#define TERN_REJECT_NOTIONAL_OVERFLOW 110
#define TERN_REJECT_DUPLICATE_CLIENT_ORDER_ID 111
#define TERN_REJECT_UNKNOWN_ORDER 112
#define TERN_REJECT_UNSUPPORTED_ORDER_TYPE 113
#define TERN_REJECT_DUPLICATE_ORDER 114
#define TERN_REJECT_EXPIRE_TIME_INVALID 115
#define TERN_REJECT_UNSUPPORTED_TIME_IN_FORCE 116
#define TERN_REJECT_UNKNOWN_STRATEGY 117
#define TERN_REJECT_RESTRICTED_INSTRUMENT 118
#define TERN_REJECT_NOT_PERMITTED 119
#define TERN_REJECT_CLIENT_ORDER_ID_INVALID 120
#define TERN_REJECT_ORDER_LIST_REJECTED 121
#define TERN_REJECT_NOTIONAL_ABOVE_MAXIMUM 201
#define TERN_REJECT_PRICE_OUTSIDE_BAND 202
#define TERN_REJECT_POSITION_LIMIT 203
#define TERN_REJECT_EXPOSURE_LIMIT 204
#define TERN_REJECT_LOSS_LIMIT 205
#define TERN_REJECT_OPEN_ORDER_LIMIT 206
#define TERN_REJECT_NO_REFERENCE_PRICE 207
#define TERN_REJECT_STALE_REFERENCE_PRICE 208
#define TERN_REJECT_SELF_MATCH 209
#define TERN_REJECT_WORKING_VALUE_LIMIT 210
#define TERN_REJECT_CREDIT_LIMIT 211
#define TERN_REJECT_REFERENCE_PRICE_INVALID 212
#define TERN_REJECT_PRICE_DRIFT_LIMIT 213
#define TERN_REJECT_FX_RATE_UNAVAILABLE 214
#define TERN_REJECT_KILL_SWITCH_HALTED 301
#define TERN_REJECT_REDUCE_ONLY_VIOLATION 302
#define TERN_REJECT_RATE_LIMITED 303
#define TERN_REJECT_STRATEGY_DISABLED 304
#define TERN_REJECT_MARKET_CLOSED 305
#define TERN_REJECT_RECONCILING 306
#define TERN_REJECT_VENUE_REJECTED 401
#define TERN_REJECT_VENUE_TOO_LATE_TO_CANCEL 402
#define TERN_REJECT_VENUE_UNAVAILABLE 403
#define TERN_REJECT_QUEUE_FULL 901
#define TERN_REJECT_CAPACITY_EXHAUSTED 902
#define TERN_REJECT_INTERNAL_ERROR 999

/** The name of a reject reason ("PRICE_OUTSIDE_BAND", as docs/reason-codes.md; "unknown" for an unassigned
 *  number). Static storage. Any thread. */
const char *tern_reject_reason_name(uint16_t reason);

/* ============================================================================================= */
/* Pre-trade risk and the kill switch (Swift: TernRisk.RiskEngine, KillSwitch)                    */
/* ============================================================================================= */

/** A risk engine: limits, exposure state and the kill switch. Created by tern_risk_create*,
 *  freed by tern_risk_free. Owning thread for everything except the kill-switch trip and state
 *  calls, which are safe from any thread. */
typedef struct tern_risk tern_risk_t;

/** A rate limit: at most `count` events in any `window_ns`. count == 0 means unlimited. */
typedef struct tern_rate_limit {
    int64_t count;
    int64_t window_ns;
} tern_rate_limit_t;

/** A price band around the reference price, in ticks and/or basis points (the narrower wins).
 *  0 in both means "not configured". */
typedef struct tern_price_band {
    int64_t ticks;
    int64_t basis_points;
} tern_price_band_t;

/** Order-type and time-in-force bits for tern_instrument_limits_t: bit (1 << TERN_ORDER_*) and
 *  (1 << TERN_TIF_*). 0 in either means the standard set (limit and market; every TIF). */
#define TERN_ALLOW(code) (1u << (code))

/** One instrument and its limits (Swift: InstrumentRisk). */
typedef struct tern_instrument_limits {
    tern_instrument_t instrument;       /**< instrument.id must equal its index in the array */
    uint16_t order_types;               /**< TERN_ALLOW(TERN_ORDER_*) bits; 0: limit and market */
    uint16_t times_in_force;            /**< TERN_ALLOW(TERN_TIF_*) bits; 0: all */
    uint8_t aggressive_only_band;       /**< 1: only refuse prices beyond the band on the aggressive side */
    uint8_t reserved[3];
    tern_quantity_t max_order_quantity; /**< fat-finger quantity per order */
    tern_money_t max_order_notional;    /**< fat-finger notional per order */
    tern_quantity_t max_long;           /**< worst-case long position per account */
    tern_quantity_t max_short;          /**< worst-case short position per account (positive) */
    tern_price_band_t band;             /**< while the session is open */
    tern_price_band_t auction_band;     /**< pre-open and auction; unconfigured: no orders then */
    int64_t max_reference_age_ns;       /**< oldest acceptable reference price */
    tern_price_band_t drift_band;       /**< collar over a window; see drift_window_ns */
    int64_t drift_window_ns;            /**< 0 turns the collar off */
    int64_t maker_fee_rate;             /**< fraction of notional at 10^-9 (2 bp = 200000); negative: rebate */
    int64_t taker_fee_rate;
    tern_money_t fee_per_unit;          /**< per unit of quantity */
} tern_instrument_limits_t;

/** An account's limits (Swift: AccountLimits). */
typedef struct tern_account_limits {
    const char *name;                   /**< for lookups and kill scopes; not NULL */
    int64_t max_working_orders;
    tern_money_t max_working_notional;
    tern_money_t credit_limit;
    tern_money_t daily_loss_limit;
    tern_rate_limit_t submit_rate;
    tern_rate_limit_t modify_rate;
    tern_rate_limit_t cancel_rate;
    tern_rate_limit_t reject_trip;      /**< venue rejects in a window that trip the account */
} tern_account_limits_t;

/** A strategy's switches and throttles (Swift: StrategyLimits). */
typedef struct tern_strategy_limits {
    const char *name;                   /**< not NULL */
    uint8_t disabled;                   /**< 1: may send nothing but cancels until re-enabled */
    uint8_t reserved[7];
    tern_rate_limit_t submit_rate;
    tern_rate_limit_t modify_rate;
    tern_rate_limit_t execution_throttle; /**< fills in a window that disable the strategy */
    tern_rate_limit_t attempt_trip;     /**< order attempts in a window that trip the strategy */
} tern_strategy_limits_t;

#define TERN_SELF_MATCH_OFF 0
#define TERN_SELF_MATCH_ACCOUNT 1
#define TERN_SELF_MATCH_FIRM 2

/** Everything a risk engine is configured with (Swift: RiskConfiguration). The library copies
 *  what it needs; the arrays and strings may be freed after tern_risk_create returns. */
typedef struct tern_risk_config {
    uint32_t struct_size;               /**< sizeof(tern_risk_config_t) */
    uint32_t version;                   /**< recorded with every decision; 0 means 1 */
    char currency[TERN_CURRENCY_CAPACITY]; /**< the firm's currency: every account and firm money limit is in it */
    uint8_t currency_exponent;
    uint8_t self_match;                 /**< TERN_SELF_MATCH_* */
    uint8_t reserved[2];
    uint32_t fx_max_age_ms;             /**< the oldest FX rate an order may rely on; required (nonzero) when an
                                             instrument is quoted in another currency (docs/risk.md#fx) */
    int64_t max_working_orders;         /**< firm-wide */
    tern_money_t credit_limit;          /**< firm-wide */
    tern_money_t daily_loss_limit;      /**< firm-wide */
    tern_rate_limit_t submit_rate;      /**< the venue session's limits */
    tern_rate_limit_t modify_rate;
    tern_rate_limit_t cancel_rate;
    tern_rate_limit_t duplicate_orders; /**< identical orders allowed in a window */
    const tern_instrument_limits_t *instruments;
    uint32_t instrument_count;
    uint32_t account_count;
    const tern_account_limits_t *accounts;
    const tern_strategy_limits_t *strategies;
    uint32_t strategy_count;
    uint32_t operator_count;
    const char *const *operators;       /**< names allowed to reset the kill switch */
} tern_risk_config_t;

/** Creates a risk engine from C structs. TERN_E_INVALID (with the field in tern_last_error) when a
 *  limit breaks a rule. Free with tern_risk_free. Any thread. */
tern_status_t tern_risk_create(const tern_risk_config_t *config, tern_risk_t **out_risk);
/** Creates a risk engine from a limits file and an instruments CSV (docs/risk.md#files).
 *  TERN_E_IO if a file cannot be read, TERN_E_PARSE with file, line and field otherwise. Any thread. */
tern_status_t tern_risk_create_from_files(const char *limits_path, const char *instruments_path, tern_risk_t **out_risk);
/** The same from the files' text. Any thread. */
tern_status_t tern_risk_create_from_text(const char *limits, size_t limits_length, const char *instruments, size_t instruments_length, tern_risk_t **out_risk);
/** Frees the engine. NULL is ignored. No other call on it may be running or follow. */
void tern_risk_free(tern_risk_t *risk);

#define TERN_NAME_INSTRUMENT 1
#define TERN_NAME_ACCOUNT 2
#define TERN_NAME_STRATEGY 3
/** The id of the instrument, account or strategy called `name` (`kind` is TERN_NAME_*).
 *  TERN_E_NOT_FOUND if there is none. Any thread (the tables never change). */
tern_status_t tern_risk_lookup(const tern_risk_t *risk, int32_t kind, const char *name, uint32_t *out_id);
/** The number of instruments, and one of them. Any thread. */
tern_status_t tern_risk_instrument_count(const tern_risk_t *risk, uint32_t *out_count);
tern_status_t tern_risk_instrument(const tern_risk_t *risk, uint32_t instrument_id, tern_instrument_t *out_instrument);

/** The outcome of a check. `accepted` is 1 or 0; when 0, `reason` (TERN_REJECT_*) and `limit`
 *  name the rule, and `limit_value` / `value` hold what was compared (in the unit of the limit:
 *  raw money, raw quantity, a count, ticks...). `sequence` numbers accepted decisions. */
typedef struct tern_risk_decision {
    uint8_t accepted;
    uint8_t limit;
    uint16_t reason;
    uint32_t reserved;
    uint64_t sequence;
    tern_money_t limit_value;
    tern_money_t value;
} tern_risk_decision_t;

/** The reference quote for price bands, marks and P&L (`last` 0: none). Owning thread.
 *  Swift: RiskEngine.updateQuote. */
tern_status_t tern_risk_update_quote(tern_risk_t *risk, uint32_t instrument_id, tern_price_t bid, tern_price_t ask, tern_price_t last, int64_t now_ns);

/** An FX rate: `rate` firm-currency units per one unit of `currency` (a code such as "EUR", NUL-
 *  terminated), at TERN_PRICE_SCALE, observed at `now_ns`. Revalues every position and working order
 *  in that currency. A rate <= 0 makes the rate unknown (orders that need it are denied with
 *  TERN_REJECT_FX_RATE_UNAVAILABLE). TERN_E_NOT_FOUND if no instrument is quoted in `currency`.
 *  Owning thread. Swift: RiskEngine.updateFX. */
tern_status_t tern_risk_update_fx(tern_risk_t *risk, const char *currency, tern_price_t rate, int64_t now_ns);

#define TERN_SESSION_OPEN 1
#define TERN_SESSION_PRE_OPEN 2
#define TERN_SESSION_AUCTION 3
#define TERN_SESSION_HALTED 4
#define TERN_SESSION_CLOSED 5
/** Sets an instrument's trading session state. Owning thread. */
tern_status_t tern_risk_set_session(tern_risk_t *risk, uint32_t instrument_id, int32_t session);

/** Runs every check on `order` without changing anything. Allocation-free. Owning thread.
 *  A rejection is TERN_OK with decision.accepted == 0. Swift: RiskEngine.evaluate. */
tern_status_t tern_risk_check(tern_risk_t *risk, const tern_order_t *order, int64_t now_ns, tern_risk_decision_t *out_decision);
/** Checks `order` and, if accepted, commits it as sent (exposure is reserved now). Owning thread.
 *  Swift: RiskEngine.submit. */
tern_status_t tern_risk_submit(tern_risk_t *risk, const tern_order_t *order, int64_t now_ns, tern_risk_decision_t *out_decision);
/** Checks and commits a cancel or a replace (`kind` TERN_REQUEST_CANCEL or TERN_REQUEST_REPLACE).
 *  Owning thread. Swift: RiskEngine.submitCancel, submitReplace. */
tern_status_t tern_risk_submit_change(tern_risk_t *risk, int32_t kind, const tern_order_change_t *change, int64_t now_ns, tern_risk_decision_t *out_decision);
/** Applies a venue's execution report: working orders, positions, P&L, throttles. Owning thread.
 *  Swift: RiskEngine.apply. */
tern_status_t tern_risk_apply(tern_risk_t *risk, const tern_order_event_t *event, int64_t now_ns);
/** The next cancel the kill switch wants sent to the venue; TERN_E_EMPTY when there is none.
 *  Call it after every trip and after tern_risk_kill_process. Owning thread. */
tern_status_t tern_risk_next_cancel(tern_risk_t *risk, tern_order_change_t *out_cancel);

/** Kill-switch scopes. `id` is the account, strategy or instrument id; `side` is used by SIDE. */
#define TERN_SCOPE_FIRM 0
#define TERN_SCOPE_ACCOUNT 1
#define TERN_SCOPE_STRATEGY 2
#define TERN_SCOPE_INSTRUMENT 3
#define TERN_SCOPE_SIDE 4
typedef struct tern_kill_scope {
    uint8_t kind;                       /**< TERN_SCOPE_* */
    uint8_t side;                       /**< TERN_SIDE_* (SIDE only) */
    uint8_t reserved[2];
    uint32_t id;
} tern_kill_scope_t;

#define TERN_KILL_ARMED 0               /**< trading normally */
#define TERN_KILL_TRIPPED 1             /**< no new orders; working orders are being canceled */
#define TERN_KILL_REDUCING 2            /**< only orders that reduce the position */

/** Trips the kill switch for `scope`: new orders in it are refused at once, from any thread.
 *  The owning thread queues the cancels of its working orders at its next call (or at
 *  tern_risk_kill_process). `actor` and `reason` are recorded. Any thread. Swift: KillSwitch.trip. */
tern_status_t tern_risk_kill_trip(tern_risk_t *risk, tern_kill_scope_t scope, const char *actor, const char *reason, int64_t now_ns);
/** Processes trips made on other threads now (queues their cancels). Owning thread. */
tern_status_t tern_risk_kill_process(tern_risk_t *risk, int64_t now_ns);
/** Resets a tripped scope to ARMED (`reducing` 0) or REDUCING (`reducing` 1: reduce-only orders).
 *  TERN_E_REFUSED if `operator_name` is not a configured operator or the cause still holds.
 *  Owning thread. Swift: RiskEngine.reset, enterReducing. */
tern_status_t tern_risk_kill_reset(tern_risk_t *risk, tern_kill_scope_t scope, int32_t reducing, const char *operator_name, const char *reason, int64_t now_ns);
/** The state of exactly `scope` (TERN_KILL_*), not counting enclosing scopes. Any thread. */
tern_status_t tern_risk_kill_state(const tern_risk_t *risk, tern_kill_scope_t scope, int32_t *out_state);

/** An account's position in one instrument (Swift: PositionState). Quantities raw; money raw. */
typedef struct tern_position {
    int64_t position;                   /**< signed filled net position (raw quantity) */
    int64_t open_buy_quantity;
    int64_t open_sell_quantity;
    int64_t working_count;
    tern_money_t open_buy_notional;
    tern_money_t open_sell_notional;
    tern_money_t realized;
    tern_money_t fees;
    tern_money_t unrealized;
    tern_money_t mark_value;
} tern_position_t;

/** An account's totals across instruments (Swift: ExposureTotals). */
typedef struct tern_exposure {
    int64_t working_count;
    int64_t holdings;                   /**< instruments with a nonzero position */
    tern_money_t working_notional;
    tern_money_t mark_value;
    tern_money_t credit_used;           /**< mark_value + working_notional */
    tern_money_t realized;
    tern_money_t fees;
    tern_money_t daily_pnl;             /**< realized - fees + change in unrealized */
} tern_exposure_t;

/** Position and exposure queries. Owning thread. */
tern_status_t tern_risk_position(const tern_risk_t *risk, uint32_t account_id, uint32_t instrument_id, tern_position_t *out_position);
tern_status_t tern_risk_exposure(const tern_risk_t *risk, uint32_t account_id, tern_exposure_t *out_exposure);

/* ============================================================================================= */
/* Tree-ensemble models (Swift: TernInference.TreeEnsemble, QuantizedForest)                      */
/* ============================================================================================= */

/** A compiled, quantized model plus its own scratch space. Created by tern_model_load*, freed by
 *  tern_model_free. One thread at a time per handle; tern_model_share gives another thread its
 *  own handle on the same compiled model. */
typedef struct tern_model tern_model_t;

#define TERN_MODEL_AUTO 0               /**< detect from the bytes */
#define TERN_MODEL_XGBOOST_JSON 1
#define TERN_MODEL_XGBOOST_UBJSON 2
#define TERN_MODEL_LIGHTGBM_TEXT 3
#define TERN_MODEL_CATBOOST_JSON 4

/** Loads and compiles a model file. TERN_E_PARSE with a precise message for a malformed or
 *  unsupported model. Any thread. */
tern_status_t tern_model_load_file(const char *path, int32_t format, tern_model_t **out_model);
tern_status_t tern_model_load_memory(const void *bytes, size_t length, int32_t format, tern_model_t **out_model);
/** A second handle on the same compiled model, with its own scratch (for another thread).
 *  Free each handle with tern_model_free. Any thread. */
tern_status_t tern_model_share(const tern_model_t *model, tern_model_t **out_model);
/** Frees the handle (the compiled model goes with its last handle). NULL is ignored. */
void tern_model_free(tern_model_t *model);

#define TERN_LIBRARY_XGBOOST 1
#define TERN_LIBRARY_LIGHTGBM 2
#define TERN_LIBRARY_CATBOOST 3

typedef struct tern_model_info {
    uint32_t feature_count;
    uint32_t output_count;
    uint32_t tree_count;
    uint32_t max_depth;
    uint32_t code_width;                /**< bytes per quantized feature code (1 or 2) */
    int32_t library;                    /**< TERN_LIBRARY_* */
    int32_t format;                     /**< TERN_MODEL_* it was loaded from */
    uint32_t slot_count;                /**< codes per quantized row (one or two per feature read) */
    uint64_t compiled_bytes;
    double margin_error_bound;          /**< proven bound on |margin - library margin| */
    char objective[64];                 /**< "reg:squarederror", "binary", ... (truncated, NUL-terminated) */
} tern_model_info_t;

/** What the model is. Any thread. */
tern_status_t tern_model_info(const tern_model_t *model, tern_model_info_t *out_info);
/** The name of feature `index` (NUL-terminated, "" if the model has none). TERN_E_TOO_SMALL
 *  with `*out_length` set if `capacity` is short. Any thread. */
tern_status_t tern_model_feature_name(const tern_model_t *model, uint32_t index, char *buffer, size_t capacity, size_t *out_length);
/** Quantizes one row of `feature_count` floats (NaN: missing) into its codes: slot_count codes
 *  of code_width bytes, what the trees compare. `codes_length` must be >= slot_count * code_width.
 *  Allocation-free. One thread per handle. */
tern_status_t tern_model_quantize(tern_model_t *model, const float *row, size_t feature_count, uint8_t *codes, size_t codes_length);
/** Predicts one row (`feature_count` floats) into `out` (output_count doubles), as the training
 *  library's predict does (probabilities for classifiers). `margin` 1: raw margins instead.
 *  Allocation-free. One thread per handle. Swift: QuantizedForest.predict. */
tern_status_t tern_model_predict(tern_model_t *model, const float *row, size_t feature_count, int32_t margin, double *out, size_t out_count);
/** Predicts `row_count` rows stored row-major (row_count x feature_count floats) into `out`
 *  (row_count x output_count doubles). One thread per handle. Swift: QuantizedForest.predictBatch. */
tern_status_t tern_model_predict_batch(tern_model_t *model, const float *rows, size_t row_count, size_t feature_count, int32_t margin, double *out, size_t out_count);

/* ============================================================================================= */
/* Rings in caller-provided or shared memory (Swift: TernQueues.SlotRing, ByteRing)               */
/* ============================================================================================= */
/*
 * Both rings live entirely in memory you provide (malloc, a shared mapping, a file), so one
 * process can produce and another consume. Their layouts are fixed and documented in
 * docs/queues.md; a Swift engine attaches to the same bytes with SlotRing(attaching:) or
 * ByteRing(attaching:). The memory must be 128-byte aligned, zero-filled or freshly formatted,
 * and outlive every handle on it. Exactly one producer thread and one consumer thread. A handle
 * is a small local view: create one per side, in each process; freeing it leaves the memory.
 */

/** A single-producer single-consumer ring of fixed-size slots. */
typedef struct tern_spsc_ring tern_spsc_ring_t;

/** Bytes of memory a ring of `capacity` slots of `slot_size` bytes needs. Any thread. */
tern_status_t tern_spsc_ring_memory_size(uint32_t slot_size, uint64_t capacity, size_t *out_bytes);
/** Writes an empty ring's header into `memory` (slot_size 8...65536, a multiple of 8; capacity
 *  1...2^30) and returns a handle. Any thread, before any producer or consumer uses it. */
tern_status_t tern_spsc_ring_format(void *memory, size_t memory_length, uint32_t slot_size, uint64_t capacity, tern_spsc_ring_t **out_ring);
/** Returns a handle on a ring another party formatted; TERN_E_INVALID names the first header field
 *  that is wrong (not a ring, other version, sizes that do not fit `memory_length`). */
tern_status_t tern_spsc_ring_attach(void *memory, size_t memory_length, tern_spsc_ring_t **out_ring);
/** Copies one message of `length` <= slot_size bytes in. TERN_E_FULL if the ring is full.
 *  Producer thread. Allocation-free. */
tern_status_t tern_spsc_ring_push(tern_spsc_ring_t *ring, const void *message, size_t length);
/** Copies the oldest message out (slot_size bytes at most; `*out_length` gets its length).
 *  TERN_E_EMPTY if there is none. Consumer thread. Allocation-free. */
tern_status_t tern_spsc_ring_pop(tern_spsc_ring_t *ring, void *buffer, size_t capacity, size_t *out_length);
/** Messages in the ring now (a snapshot). Any thread. */
tern_status_t tern_spsc_ring_count(const tern_spsc_ring_t *ring, uint64_t *out_count);
/** Frees the handle, not the memory. NULL is ignored. */
void tern_spsc_ring_free(tern_spsc_ring_t *ring);

/** A single-producer single-consumer ring of variable-length typed records. */
typedef struct tern_byte_ring tern_byte_ring_t;

/** Bytes of memory a byte ring with `capacity` data bytes (a power of two, 64 B...1 GiB) needs. */
tern_status_t tern_byte_ring_memory_size(uint64_t capacity, size_t *out_bytes);
/** Formats an empty ring over `memory`: its data area is the largest power of two that fits in
 *  memory_length minus the 512-byte header. `max_message_length` 0: the largest the capacity allows. */
tern_status_t tern_byte_ring_format(void *memory, size_t memory_length, uint32_t max_message_length, tern_byte_ring_t **out_ring);
tern_status_t tern_byte_ring_attach(void *memory, size_t memory_length, tern_byte_ring_t **out_ring);
/** Copies one record (`type` > 0, `length` <= max message length) in. TERN_E_FULL if there is
 *  no room now; TERN_E_INVALID if it can never fit. Producer thread. Allocation-free. */
tern_status_t tern_byte_ring_write(tern_byte_ring_t *ring, int32_t type, const void *body, size_t length);
/** Claims room for a record to encode in place: `*out_body` points at `length` writable bytes in
 *  the ring. Follow with tern_byte_ring_commit (or tern_byte_ring_abort) before the next claim.
 *  Producer thread. */
tern_status_t tern_byte_ring_claim(tern_byte_ring_t *ring, int32_t type, size_t length, void **out_body);
tern_status_t tern_byte_ring_commit(tern_byte_ring_t *ring);
tern_status_t tern_byte_ring_abort(tern_byte_ring_t *ring);
/** Receives one record; `body` is valid only during the call. Return 0 to go on, nonzero to stop
 *  after this record. */
typedef int32_t (*tern_record_fn)(void *user_data, int32_t type, const void *body, size_t length);
/** Hands up to `limit` records (0: all there are) to `fn`, freeing each one's space after it. `*out_count`
 *  (optional) gets how many. TERN_E_EMPTY if there were none. Consumer thread. */
tern_status_t tern_byte_ring_read(tern_byte_ring_t *ring, uint32_t limit, tern_record_fn fn, void *user_data, uint32_t *out_count);
/** Frees the handle, not the memory. NULL is ignored. */
void tern_byte_ring_free(tern_byte_ring_t *ring);

/* ============================================================================================= */
/* Journal (Swift: TernJournal.JournalWriter, JournalReader)                                      */
/* ============================================================================================= */

/** An open journal being appended to. Created by tern_journal_open, closed and freed by
 *  tern_journal_close. Appends from one thread; the writer's own thread does the I/O. */
typedef struct tern_journal tern_journal_t;

#define TERN_SYNC_NONE 0                /**< the OS writes back when it likes */
#define TERN_SYNC_INTERVAL 1            /**< fdatasync at most every sync_interval_ns */
#define TERN_SYNC_EVERY_BATCH 2         /**< fdatasync after every batch the writer takes */

/** The record types left to users; Tern's own records use the others. */
#define TERN_JOURNAL_USER_TYPE_MIN 0x8000
#define TERN_JOURNAL_USER_TYPE_MAX 0xEFFF

typedef struct tern_journal_options {
    uint32_t struct_size;               /**< sizeof(tern_journal_options_t) */
    int32_t sync;                       /**< TERN_SYNC_* */
    int64_t sync_interval_ns;           /**< TERN_SYNC_INTERVAL; 0: 1 ms */
    uint64_t segment_bytes;             /**< 0: 64 MiB */
    uint64_t ring_bytes;                /**< in-memory hand-off to the writer thread; 0: 16 MiB */
    int32_t writer_cpu;                 /**< pin the writer thread; -1: do not pin */
    uint32_t reserved;
} tern_journal_options_t;

/** Opens (creating it if needed) the journal in `directory`, recovers a torn tail left by a crash,
 *  and continues after its last record. `options` NULL: defaults. Any thread. */
tern_status_t tern_journal_open(const char *directory, const tern_journal_options_t *options, tern_journal_t **out_journal);
/** Appends one record of a user type (TERN_JOURNAL_USER_TYPE_MIN...MAX; the rest are Tern's own) and returns its
 *  sequence number. Never blocks on I/O. TERN_E_FULL if the in-memory ring is full; TERN_E_IO if
 *  the writer failed (tern_last_error says how). Appending thread. Allocation-free. */
tern_status_t tern_journal_append(tern_journal_t *journal, uint16_t type, int64_t timestamp_ns, const void *payload, size_t length, uint64_t *out_sequence);
/** Waits until record `sequence` is on disk under the sync policy. TERN_E_IO if the writer failed.
 *  Any thread. */
tern_status_t tern_journal_wait_durable(tern_journal_t *journal, uint64_t sequence);
/** Writes and syncs everything appended, stops the writer and frees the handle (also on error).
 *  NULL is ignored (returns TERN_OK). */
tern_status_t tern_journal_close(tern_journal_t *journal);

typedef struct tern_journal_report {
    uint64_t records;
    uint64_t segments;
    uint64_t first_sequence;            /**< 0 if there are no records */
    uint64_t last_sequence;
    int64_t first_timestamp_ns;
    int64_t last_timestamp_ns;
    uint64_t torn_tail_bytes;           /**< bytes after the last whole record (a crash mid-write) */
    uint8_t clean;                      /**< 1: no torn tail and no damage */
    uint8_t reserved[7];
} tern_journal_report_t;

/** Checks every segment header and record checksum of the journal in `directory` without changing
 *  it. TERN_OK and a report if it reads cleanly up to an optional torn tail; TERN_E_PARSE naming
 *  the segment and offset of the first damaged record otherwise. Any thread. */
tern_status_t tern_journal_verify(const char *directory, tern_journal_report_t *out_report);

typedef struct tern_journal_record {
    uint64_t sequence;
    int64_t timestamp_ns;
    uint16_t type;
    uint8_t reserved[6];
    const void *payload;                /**< valid only during the callback */
    size_t length;
} tern_journal_record_t;
/** Receives one record. Return 0 to go on, nonzero to stop. */
typedef int32_t (*tern_journal_record_fn)(void *user_data, const tern_journal_record_t *record);
/** Hands every record of the journal in `directory` to `fn`, in sequence order. Any thread. */
tern_status_t tern_journal_iterate(const char *directory, tern_journal_record_fn fn, void *user_data);

/* ============================================================================================= */
/* Engine embedding (Swift: TernEngine.Engine, EngineAssembly)                                    */
/* ============================================================================================= */

/** An engine: books, order manager, risk, journal, a strategy and a gateway, built from a host
 *  configuration file (docs/engine.md#configuration). Created by tern_engine_create, freed by
 *  tern_engine_free. Owning thread ("the engine thread") except where stated. */
typedef struct tern_engine tern_engine_t;

/** Market event actions (Swift: MarketAction). */
#define TERN_MARKET_ADD 0
#define TERN_MARKET_CANCEL 1
#define TERN_MARKET_MODIFY 2
#define TERN_MARKET_DELETE 3
#define TERN_MARKET_EXECUTE 4
#define TERN_MARKET_CLEAR 5
#define TERN_MARKET_LEVEL 6
#define TERN_MARKET_TRADE 7
#define TERN_BOOK_BID 0
#define TERN_BOOK_ASK 1
#define TERN_BOOK_NONE 255
/** The last event of a venue message: the book is consistent after it. */
#define TERN_MARKET_END_OF_BATCH 0x01
/** Action of the record that ends a ring feed (`[data] format = ring`): the engine's run
 *  finishes after the events before it. Only in a ring; tern_engine_push refuses it. */
#define TERN_MARKET_END_OF_STREAM 255

/** One book event (Swift: MarketEvent). L3 books take ADD/CANCEL/MODIFY/DELETE/EXECUTE by
 *  order_id; L2 books take LEVEL (size 0 removes the level); both take CLEAR and TRADE. */
typedef struct tern_market_event {
    uint8_t action;                     /**< TERN_MARKET_* */
    uint8_t side;                       /**< TERN_BOOK_BID, _ASK or _NONE */
    uint8_t flags;                      /**< TERN_MARKET_END_OF_BATCH */
    uint8_t reserved;
    uint32_t instrument_id;
    uint64_t order_id;
    tern_price_t price;
    tern_quantity_t size;
    int64_t exchange_time_ns;
} tern_market_event_t;

/** The top of one book. A side with no orders has price 0 and size 0. */
typedef struct tern_book_top {
    uint32_t instrument_id;
    uint32_t reserved;
    tern_price_t bid_price;
    tern_quantity_t bid_size;
    tern_price_t ask_price;
    tern_quantity_t ask_size;
    tern_price_t last_trade_price;
    int64_t time_ns;
} tern_book_top_t;

/** What a strategy asks for; the engine adds ids, account, strategy and time. */
typedef struct tern_order_intent {
    uint32_t instrument_id;
    uint8_t side;
    uint8_t order_type;                 /**< 0: limit */
    uint8_t time_in_force;              /**< 0: day */
    uint8_t flags;
    tern_price_t price;
    tern_quantity_t quantity;
} tern_order_intent_t;

/** A strategy as a table of callbacks, all on the engine thread, all optional (NULL: ignored).
 *  From inside them call tern_engine_submit, tern_engine_cancel, tern_engine_replace and the
 *  queries. */
typedef struct tern_strategy {
    uint32_t struct_size;               /**< sizeof(tern_strategy_t) */
    uint32_t reserved;
    void (*on_start)(void *user_data, tern_engine_t *engine);
    /** A book changed and is consistent (the end of a venue message). */
    void (*on_market)(void *user_data, tern_engine_t *engine, const tern_book_top_t *top);
    /** A trade printed (`aggressor` TERN_BOOK_BID: a buyer lifted the ask; _NONE: unknown). */
    void (*on_trade)(void *user_data, tern_engine_t *engine, uint32_t instrument_id, int32_t aggressor, tern_price_t price, tern_quantity_t size);
    /** An execution report about one of the engine's orders (after risk and the order manager). */
    void (*on_order)(void *user_data, tern_engine_t *engine, const tern_order_event_t *event);
    void (*on_stop)(void *user_data, tern_engine_t *engine);
} tern_strategy_t;

#define TERN_REQUEST_NEW 1
#define TERN_REQUEST_CANCEL 2
#define TERN_REQUEST_REPLACE 3

/** A venue adapter as a table of callbacks. `send` runs on the gateway thread (the engine thread
 *  when the configuration says threads = single); `next_report` on the engine thread, before
 *  every market event: return 1 after filling `*out_event` with a report due by `now_ns`, 0 when
 *  there is none. `send` gets exactly one of `order` (NEW) or `change` (CANCEL, REPLACE). */
typedef struct tern_gateway {
    uint32_t struct_size;               /**< sizeof(tern_gateway_t) */
    uint32_t reserved;
    void (*send)(void *user_data, int32_t kind, const tern_order_t *order, const tern_order_change_t *change);
    int32_t (*next_report)(void *user_data, int64_t now_ns, tern_order_event_t *out_event);
} tern_gateway_t;

/** Builds an engine from a host configuration file (`config_path` NULL: the built-in demo: a
 *  synthetic market, the sample strategy, the simulated venue). Relative paths in the file are
 *  read from its folder. Any thread. Free with tern_engine_free. */
tern_status_t tern_engine_create(const char *config_path, tern_engine_t **out_engine);
/** Replaces the configured strategy (default: the sample strategy) with C callbacks. The table is
 *  copied; `user_data` must outlive the engine. Before tern_engine_start or tern_engine_run only
 *  (TERN_E_STATE after). */
tern_status_t tern_engine_set_strategy(tern_engine_t *engine, const tern_strategy_t *strategy, void *user_data);
/** Replaces the simulated venue with C callbacks (before start, as above). */
tern_status_t tern_engine_set_gateway(tern_engine_t *engine, const tern_gateway_t *gateway, void *user_data);

/** Starts the engine for tern_engine_push: the calling thread becomes the engine thread, and
 *  the gateway's `send` runs on it too. Calls the strategy's on_start. */
tern_status_t tern_engine_start(tern_engine_t *engine);
/** Hands one market event to the engine (after tern_engine_start). Engine thread. */
tern_status_t tern_engine_push(tern_engine_t *engine, const tern_market_event_t *event);

/** Counters of a run. */
typedef struct tern_engine_counters {
    uint64_t events;
    uint64_t orders_sent;
    uint64_t cancels_sent;
    uint64_t replaces_sent;
    uint64_t kill_cancels_sent;
    uint64_t reports;
    uint64_t fills;
    uint64_t venue_rejects;
    uint64_t denied;                    /**< requests risk refused */
    uint64_t tick_to_order_p50_ns;      /**< 0 if no order was sent */
    uint64_t tick_to_order_p99_ns;
    uint64_t tick_to_order_max_ns;
} tern_engine_counters_t;

/** Replays the configured market data ([data] in the file) through the engine on the configured
 *  threads until the data ends or tern_engine_stop, then finishes (strategy on_stop, cancels,
 *  journal closed). Blocks. The calling thread is the engine thread. */
tern_status_t tern_engine_run(tern_engine_t *engine, tern_engine_counters_t *out_counters);
/** Asks a running tern_engine_run to stop after the event in hand. Any thread. */
tern_status_t tern_engine_stop(tern_engine_t *engine);
/** Ends a push-mode session: on_stop, cancels of working orders, journal closed. Engine thread. */
tern_status_t tern_engine_finish(tern_engine_t *engine, tern_engine_counters_t *out_counters);

/** Sends an order through risk to the gateway; `*out_client_order_id` gets its id.
 *  A risk refusal is TERN_OK with decision.accepted 0 (optional `out_decision`). Engine thread. */
tern_status_t tern_engine_submit(tern_engine_t *engine, const tern_order_intent_t *intent, uint64_t *out_client_order_id, tern_risk_decision_t *out_decision);
/** Cancels or replaces a working order (through risk). TERN_E_NOT_FOUND if it is not working.
 *  Engine thread. */
tern_status_t tern_engine_cancel(tern_engine_t *engine, uint64_t client_order_id, tern_risk_decision_t *out_decision);
tern_status_t tern_engine_replace(tern_engine_t *engine, uint64_t client_order_id, tern_price_t price, tern_quantity_t quantity, tern_risk_decision_t *out_decision);
/** The top of an instrument's book. Engine thread. */
tern_status_t tern_engine_book_top(const tern_engine_t *engine, uint32_t instrument_id, tern_book_top_t *out_top);
/** The engine's filled net position in an instrument (raw quantity). Engine thread. */
tern_status_t tern_engine_position(const tern_engine_t *engine, uint32_t instrument_id, int64_t *out_position);
/** The counters so far. Engine thread. */
tern_status_t tern_engine_counters(const tern_engine_t *engine, tern_engine_counters_t *out_counters);
/** The engine's risk engine, borrowed (do not free it; it lives as long as the engine). Use it
 *  for lookups, positions and the kill switch (trip from any thread). Any thread. */
tern_status_t tern_engine_risk(tern_engine_t *engine, tern_risk_t **out_risk);
/** Frees the engine (finishing it first if it was started and not finished). NULL is ignored. */
void tern_engine_free(tern_engine_t *engine);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TERN_H */
