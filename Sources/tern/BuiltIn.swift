// The demo's built-in risk configuration for the synthetic market (formats: docs/risk.md#files).

enum BuiltIn {
    static let limits = """
        # Built-in limits of `tern demo` (the synthetic market).
        [firm]
        currency = USD
        max_working_orders = 100
        credit_limit = 10000000
        daily_loss_limit = 50000
        submit_rate = 200/1s
        cancel_rate = 400/1s
        duplicate_orders = 3/50ms
        self_match = account
        operators = demo, admin

        [account main]
        max_working_orders = 20
        max_working_notional = 1000000
        credit_limit = 5000000
        daily_loss_limit = 20000
        reject_trip = 200/10s

        [strategy sample]
        submit_rate = 40/1s
        execution_throttle = 100/1s
        attempt_trip = 1000/1s

        """

    static let instruments = """
        symbol,tick,lot,multiplier,max_qty,currency,max_order_qty,max_order_notional,max_long,max_short,band_ticks,band_bps,max_reference_age,order_types
        SYN,0.01,1,1,100000,USD,10,100000,5,5,50,,5s,limit market

        """
}
